using StatusPlatform.Contracts;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;

namespace StatusPlatform.Notify.Tests.Policy;

/// <summary>The policy table and its defaults (ARCHITECTURE.md section 6): pure, no I/O.</summary>
public sealed class NotificationPolicyTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(NoticeKind.Opened, true, "email", false)]        // an automatic opening: page and ops room only
    [InlineData(NoticeKind.Opened, true, "sms", false)]
    [InlineData(NoticeKind.Opened, true, "webhook", false)]
    [InlineData(NoticeKind.Opened, false, "email", true)]        // a person opened it
    [InlineData(NoticeKind.Opened, false, "sms", true)]
    [InlineData(NoticeKind.Opened, false, "slack", true)]
    [InlineData(NoticeKind.Updated, false, "email", true)]       // human updates
    [InlineData(NoticeKind.Updated, false, "teams", true)]
    [InlineData(NoticeKind.Updated, false, "sms", false)]        // SMS only on open and resolve
    [InlineData(NoticeKind.Updated, true, "email", false)]       // the monitors' own updates
    [InlineData(NoticeKind.Persisting, true, "email", true)]     // an outage that lasts
    [InlineData(NoticeKind.Persisting, true, "sms", true)]
    [InlineData(NoticeKind.Resolved, true, "email", true)]
    [InlineData(NoticeKind.Resolved, true, "sms", true)]
    [InlineData(NoticeKind.Postmortem, false, "email", true)]
    [InlineData(NoticeKind.Postmortem, false, "sms", false)]
    [InlineData(NoticeKind.ComponentStatus, true, "webhook", true)]
    [InlineData(NoticeKind.ComponentStatus, true, "email", false)]
    [InlineData(NoticeKind.ComponentStatus, true, "discord", false)]
    public void The_default_table(string kind, bool automatic, string channel, bool notify) =>
        Assert.Equal(notify, NotificationPolicy.Allows(NotificationPolicy.Defaults, kind, IncidentImpact.Major, channel, automatic));

    [Fact]
    public void Announcing_automatic_outages_tells_subscribers_of_the_opening_and_of_a_component_joining_it()
    {
        var rules = new PolicyOptions { AnnounceAutomaticOutages = true }.Effective;

        Assert.True(NotificationPolicy.Allows(rules, NoticeKind.Opened, IncidentImpact.Critical, "email", automatic: true));
        Assert.True(NotificationPolicy.Allows(rules, NoticeKind.Updated, IncidentImpact.Critical, "email", automatic: true)); // a component joined
        Assert.False(NotificationPolicy.Allows(rules, NoticeKind.Updated, IncidentImpact.Critical, "sms", automatic: true)); // SMS still open/resolve only
        Assert.False(NotificationPolicy.Allows(new PolicyOptions().Effective, NoticeKind.Updated, IncidentImpact.Critical, "email", automatic: true));
    }

    [Fact]
    public void An_automatic_opening_reaches_the_ops_room_and_no_subscriber()
    {
        var audience = NotificationPolicy.Decide(Notice(NoticeKind.Opened, automatic: true), NotificationPolicy.Defaults);

        Assert.Equal((false, true), (audience.ReachesSubscribers, audience.OpsRoom));
    }

    [Fact]
    public void A_resolution_goes_only_to_those_told_and_is_not_held_back_by_the_quiet_rule()
    {
        var audience = NotificationPolicy.Decide(Notice(NoticeKind.Resolved, automatic: false), NotificationPolicy.Defaults);

        Assert.Equal((true, false, true), (audience.OnlyThoseTold, audience.Quiet, audience.OpsRoom));
        Assert.Equal(SubscriptionChannel.All, audience.Channels);
    }

    [Fact]
    public void A_human_update_is_quiet_ruled_and_goes_to_every_channel_but_sms()
    {
        var audience = NotificationPolicy.Decide(Notice(NoticeKind.Updated, automatic: false), NotificationPolicy.Defaults);

        Assert.Equal((false, true), (audience.OnlyThoseTold, audience.Quiet));
        Assert.Equal(SubscriptionChannel.All.Where(c => c != SubscriptionChannel.Sms), audience.Channels);
    }

    [Theory]
    [InlineData(NoticeKind.Opened)]
    [InlineData(NoticeKind.Updated)]
    [InlineData(NoticeKind.Resolved)]
    public void Deliver_notifications_false_reaches_nobody_but_the_ops_room(string kind)
    {
        var audience = NotificationPolicy.Decide(Notice(kind, automatic: false) with { DeliverNotifications = false }, NotificationPolicy.Defaults);

        Assert.Empty(audience.Channels);
        Assert.True(audience.OpsRoom);
    }

    [Fact]
    public void The_persisting_notice_is_not_repeated_in_the_ops_room()
    {
        var audience = NotificationPolicy.Decide(Notice(NoticeKind.Opened, automatic: true).Persisting(), NotificationPolicy.Defaults);

        Assert.Equal((true, false), (audience.ReachesSubscribers, audience.OpsRoom));
    }

    [Fact]
    public void A_configured_table_replaces_the_defaults_first_match_winning()
    {
        IReadOnlyList<PolicyRule> rules =
        [
            PolicyRule.Of(NoticeKind.Opened, IncidentImpact.Minor, "chat", "*", false),
            PolicyRule.Of(NoticeKind.Opened, "*", "*", "*", true),
        ];

        Assert.False(NotificationPolicy.Allows(rules, NoticeKind.Opened, IncidentImpact.Minor, SubscriptionChannel.Slack, automatic: false));
        Assert.True(NotificationPolicy.Allows(rules, NoticeKind.Opened, IncidentImpact.Major, SubscriptionChannel.Slack, automatic: false));
        Assert.True(NotificationPolicy.Allows(rules, NoticeKind.Opened, IncidentImpact.Minor, SubscriptionChannel.Email, automatic: true));
        Assert.False(NotificationPolicy.Allows(rules, NoticeKind.Updated, IncidentImpact.Major, SubscriptionChannel.Email, automatic: false));
    }

    private static Notice Notice(string kind, bool automatic) =>
        new(kind, "i1", "Outage", IncidentStatus.Investigating, IncidentImpact.Major, "Body",
            [new AffectedComponent("web", "Web", ComponentStatus.MajorOutage)], At, automatic);
}

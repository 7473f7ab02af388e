using StatusPlatform.Contracts;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;

namespace StatusPlatform.Notify.Tests.Policy;

/// <summary>The digest rules (Notify:Digest): when held deliveries wait, go out one by one, or fold into one digest. Pure, no I/O.</summary>
public sealed class DigestPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly DigestOptions Options = new() { Wait = TimeSpan.FromSeconds(5), Threshold = 3, Window = TimeSpan.FromSeconds(60) };

    [Fact]
    public void Three_different_incidents_due_together_fold_into_one_digest()
    {
        var decision = DigestPolicy.Decide([Held("inc-a"), Held("inc-b"), Held("inc-c", dueIn: TimeSpan.FromSeconds(3))], null, Now, Options);

        Assert.Equal(DigestAction.Fold, decision.Action);
    }

    [Fact]
    public void Fewer_than_the_threshold_go_out_one_by_one()
    {
        Assert.Equal(DigestAction.Release, DigestPolicy.Decide([Held("inc-a"), Held("inc-b")], null, Now, Options).Action);
    }

    [Fact]
    public void Several_messages_about_one_incident_count_once()
    {
        var decision = DigestPolicy.Decide([Held("inc-a"), Held("inc-a"), Held("inc-a"), Held("component:db")], null, Now, Options);

        Assert.Equal(DigestAction.Release, decision.Action);
    }

    [Fact]
    public void Nothing_is_decided_before_the_first_held_delivery_is_due()
    {
        var decision = DigestPolicy.Decide([Held("inc-a", dueIn: TimeSpan.FromSeconds(2)), Held("inc-b", dueIn: TimeSpan.FromSeconds(4))], null, Now, Options);

        Assert.Equal(new DigestDecision(DigestAction.Wait, Now.AddSeconds(2)), decision);
    }

    [Fact]
    public void Within_the_window_of_the_last_digest_everything_waits_for_its_end()
    {
        var lastDigest = Now.AddSeconds(-20);

        var decision = DigestPolicy.Decide([Held("inc-d"), Held("inc-e"), Held("inc-f")], lastDigest, Now, Options);

        Assert.Equal(new DigestDecision(DigestAction.Wait, lastDigest.AddSeconds(60)), decision);
        Assert.Equal(DigestAction.Fold, DigestPolicy.Decide([Held("inc-d"), Held("inc-e"), Held("inc-f")], Now.AddSeconds(-61), Now, Options).Action);
    }

    [Fact]
    public void Deciding_on_nothing_is_a_clear_error() =>
        Assert.Throws<ArgumentException>(() => DigestPolicy.Decide([], null, Now, Options));

    [Theory]
    [InlineData(NoticeKind.Opened, true)]
    [InlineData(NoticeKind.Updated, true)]
    [InlineData(NoticeKind.Persisting, true)]
    [InlineData(NoticeKind.Resolved, true)]
    [InlineData(NoticeKind.ComponentStatus, true)]
    [InlineData(NoticeKind.Postmortem, false)]
    [InlineData(NoticeKind.Maintenance, false)]
    [InlineData(NoticeKind.Confirmation, false)]
    public void Only_the_kinds_that_come_in_storms_are_gathered(string kind, bool gathered)
    {
        Assert.Equal(gathered, DigestPolicy.Gathers(Said("inc-a", kind), Options));
        Assert.False(DigestPolicy.Gathers(Said("inc-a", kind), new DigestOptions { Enabled = false }));
    }

    [Fact]
    public void Webhooks_are_never_digested_people_channels_are()
    {
        Assert.DoesNotContain(SubscriptionChannel.Webhook, DigestPolicy.Channels);
        Assert.Equal(SubscriptionChannel.All.Where(c => c != SubscriptionChannel.Webhook), DigestPolicy.Channels);
    }

    [Fact]
    public void A_component_change_is_keyed_by_its_component_and_an_incident_by_its_id()
    {
        var change = new ComponentStatusChanged("db", "Database", ComponentStatus.Operational, ComponentStatus.MajorOutage, Now);

        Assert.Equal("component:db", DigestPolicy.KeyOf(Notice.From(change)));
        Assert.Equal("inc-a", DigestPolicy.KeyOf(Said("inc-a", NoticeKind.Opened)));
    }

    [Fact]
    public void A_digest_lists_each_incident_once_with_its_latest_notice_oldest_first_and_its_id_depends_only_on_the_events()
    {
        var (a1, a2, b) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var folded = new List<(Guid, Notice)>
        {
            (b, Said("inc-b", NoticeKind.Opened, at: Now.AddSeconds(1), impact: IncidentImpact.Critical)),
            (a2, Said("inc-a", NoticeKind.Updated, at: Now.AddSeconds(2)) with { Status = IncidentStatus.Identified }),
            (a1, Said("inc-a", NoticeKind.Opened, at: Now)),
        };

        var (id, digest) = DigestPolicy.Compose(folded);

        Assert.Equal(NoticeKind.Digest, digest.Kind);
        Assert.Equal(["inc-b", "inc-a"], digest.Items!.Select(i => i.IncidentId));
        Assert.Equal(IncidentStatus.Identified, digest.Items![1].Status);
        Assert.Equal(IncidentImpact.Critical, digest.Impact);
        Assert.Equal(id, DigestPolicy.Compose([.. folded.AsEnumerable().Reverse()]).Id);
        Assert.NotEqual(id, DigestPolicy.Compose(folded.Take(2).ToList()).Id);
    }

    [Fact]
    public void The_digest_email_names_every_incident_with_its_link_and_encodes_what_it_was_told()
    {
        var items = Enumerable.Range(1, 5).Select(i => (Guid.NewGuid(), Said($"inc-{i}", NoticeKind.Opened, at: Now.AddSeconds(i)))).ToList();
        items.Add((Guid.NewGuid(), Said("inc-x", NoticeKind.Opened, at: Now.AddSeconds(9)) with { Name = "<script>alert(1)</script>" }));
        var (_, digest) = DigestPolicy.Compose(items);
        var links = new MessageLinks(null, "https://status.example/manage?t=1", "https://status.example/unsubscribe?t=1", "https://status.example/");

        var email = IncidentEmail.Render(digest, Texts.English, links);

        Assert.Equal("[Investigating] 6 updates: Incident inc-1, Incident inc-2, Incident inc-3 and 3 more", email.Subject);
        foreach (var i in Enumerable.Range(1, 5))
        {
            Assert.Contains($"[Investigating] Incident inc-{i}", email.Text);
            Assert.Contains($"https://status.example/incidents/inc-{i}", email.Html);
        }
        Assert.DoesNotContain("<script>", email.Html);
        Assert.Contains("&lt;script&gt;", email.Html);
        Assert.Contains(links.Unsubscribe, email.Text);
        Assert.Contains("Demo Website: major outage", email.Text);
    }

    [Fact]
    public void The_digest_sms_and_chat_message_are_one_message_each_pointing_at_the_page()
    {
        var (_, digest) = DigestPolicy.Compose([.. Enumerable.Range(1, 4).Select(i => (Guid.NewGuid(), Said($"inc-{i}", NoticeKind.Persisting)))]);
        var links = new MessageLinks(null, "https://status.example/m", "https://status.example/u", "https://status.example/");

        var sms = SmsText.Render(digest, Texts.German, links);
        var slack = ChatMessage.Render(SubscriptionChannel.Slack, digest, Texts.English, links);

        Assert.StartsWith("[Untersuchung] 4 Meldungen: Incident inc-1, Incident inc-2, Incident inc-3 und 1 weitere", sms);
        Assert.Contains("https://status.example/", sms);
        Assert.True(sms.Length <= 300);
        Assert.Contains("Incident inc-4", slack);
        Assert.Contains("https://status.example/|", slack);
    }

    private static HeldDelivery Held(string key, TimeSpan? dueIn = null) => new(Guid.NewGuid(), Guid.NewGuid(), key, Now + (dueIn ?? TimeSpan.Zero));

    private static Notice Said(string incidentId, string kind, DateTimeOffset? at = null, string impact = IncidentImpact.Major) =>
        new(kind, incidentId, $"Incident {incidentId}", IncidentStatus.Investigating, impact, "We are **looking** into it.",
            [new AffectedComponent("website", "Demo Website", ComponentStatus.MajorOutage)], at ?? Now);
}

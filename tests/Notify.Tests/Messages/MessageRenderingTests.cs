using System.Text.Json;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Tests.Messages;

/// <summary>What each channel's message looks like: email templates in two languages, Statuspage webhooks, chat bodies. No I/O.</summary>
public sealed class MessageRenderingTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 12, 5, 0, TimeSpan.Zero);
    private static readonly MessageLinks Links = new("https://status.example.com/incidents/i1",
        "https://status.example.com/subscriptions/manage?token=m", "https://status.example.com/subscriptions/unsubscribe?token=u");

    private static readonly Notice Opened = new(NoticeKind.Opened, "i1", "Checkout <fails> & @everyone", IncidentStatus.Investigating, IncidentImpact.Major,
        "We are **looking** into it. [details](javascript:alert(1)) <script>x</script>",
        [new AffectedComponent("web", "Web", ComponentStatus.MajorOutage), new AffectedComponent("api", "API", ComponentStatus.PartialOutage)], At,
        UpdateId: "u1", OpenedAt: At);

    [Fact]
    public void The_email_renders_markdown_without_raw_html_or_script_links_and_carries_the_links()
    {
        var email = IncidentEmail.Render(Opened, Texts.English, Links);

        Assert.Contains("<strong>looking</strong>", email.Html);
        Assert.Contains("&lt;script&gt;", email.Html);
        Assert.DoesNotContain("<script>", email.Html);
        Assert.DoesNotContain("javascript:", email.Html);
        Assert.Contains("href=\"https://status.example.com/incidents/i1\"", email.Html);
        Assert.Contains(Links.Manage, email.Text);
        Assert.Contains(Links.Unsubscribe, email.Text);
        Assert.Contains($"href=\"{Links.Unsubscribe}\"", email.Html);
    }

    [Fact]
    public void The_german_template_translates_labels_and_statuses()
    {
        var email = IncidentEmail.Render(Opened, Texts.German, Links);

        Assert.StartsWith("[Untersuchung] Web, API: ", email.Subject);
        Assert.Contains("Betroffene Komponenten:", email.Text);
        Assert.Contains("  - API: teilweiser Ausfall", email.Text);
        Assert.Contains("Abonnement verwalten", email.Html);
        Assert.Contains("lang=\"de\"", email.Html);
    }

    [Fact]
    public void A_webhook_has_statuspages_incident_shape()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Render(Opened, "page1", Links, At));
        var root = json.RootElement;

        Assert.Equal(Links.Unsubscribe, root.GetProperty("meta").GetProperty("unsubscribe").GetString());
        Assert.Equal("page1", root.GetProperty("page").GetProperty("id").GetString());
        var incident = root.GetProperty("incident");
        Assert.Equal(("i1", "investigating", "major"), (incident.GetProperty("id").GetString(), incident.GetProperty("status").GetString(), incident.GetProperty("impact").GetString()));
        Assert.Equal(Links.Incident, incident.GetProperty("shortlink").GetString());
        var update = incident.GetProperty("incident_updates")[0];
        Assert.Equal((Opened.Body, "u1", "i1"), (update.GetProperty("body").GetString(), update.GetProperty("id").GetString(), update.GetProperty("incident_id").GetString()));
        Assert.Equal("major_outage", update.GetProperty("affected_components")[0].GetProperty("new_status").GetString());
        Assert.Equal(2, incident.GetProperty("components").GetArrayLength());
        Assert.False(root.TryGetProperty("component", out _));
    }

    [Fact]
    public void A_component_change_webhook_has_component_and_component_update()
    {
        var change = new ComponentStatusChanged("web", "Web", ComponentStatus.Operational, ComponentStatus.MajorOutage, At);
        using var json = JsonDocument.Parse(WebhookPayload.Render(Notice.From(change), "page1", Links, At));

        Assert.Equal("major_outage", json.RootElement.GetProperty("component").GetProperty("status").GetString());
        var update = json.RootElement.GetProperty("component_update");
        Assert.Equal(("operational", "major_outage", "web"), (update.GetProperty("old_status").GetString(), update.GetProperty("new_status").GetString(),
            update.GetProperty("component_id").GetString()));
        Assert.False(json.RootElement.TryGetProperty("incident", out _));
    }

    [Fact]
    public void Slack_gets_blocks_with_escaped_text_and_a_fallback()
    {
        using var json = JsonDocument.Parse(ChatMessage.Render(SubscriptionChannel.Slack, Opened, Texts.English, Links));

        Assert.Equal("[Investigating] Checkout &lt;fails&gt; &amp; @everyone", json.RootElement.GetProperty("text").GetString());
        var blocks = json.RootElement.GetProperty("blocks");
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Contains(blocks.EnumerateArray(), b => b.GetProperty("type").GetString() == "context"
            && b.GetProperty("elements")[0].GetProperty("text").GetString()!.Contains($"<{Links.Incident}|", StringComparison.Ordinal));
    }

    [Fact]
    public void Teams_gets_a_message_card_with_facts_and_a_link()
    {
        using var json = JsonDocument.Parse(ChatMessage.Render(SubscriptionChannel.Teams, Opened, Texts.English, Links));

        Assert.Equal("MessageCard", json.RootElement.GetProperty("@type").GetString());
        Assert.Equal("major outage", json.RootElement.GetProperty("sections")[0].GetProperty("facts")[0].GetProperty("value").GetString());
        Assert.Equal(Links.Incident, json.RootElement.GetProperty("potentialAction")[0].GetProperty("targets")[0].GetProperty("uri").GetString());
    }

    [Fact]
    public void Discord_gets_content_and_an_embed_and_pings_nobody()
    {
        using var json = JsonDocument.Parse(ChatMessage.Render(SubscriptionChannel.Discord, Opened, Texts.English, Links));

        Assert.Contains("@everyone", json.RootElement.GetProperty("content").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
        var embed = json.RootElement.GetProperty("embeds")[0];
        Assert.Equal((Links.Incident, 2), (embed.GetProperty("url").GetString(), embed.GetProperty("fields").GetArrayLength()));
    }

    [Theory]
    [InlineData(SubscriptionChannel.Mattermost)]
    [InlineData(SubscriptionChannel.GoogleChat)]
    public void Mattermost_and_google_chat_get_text(string platform)
    {
        using var json = JsonDocument.Parse(ChatMessage.Render(platform, Opened, Texts.English, Links));

        var text = json.RootElement.GetProperty("text").GetString();
        Assert.StartsWith("**[Investigating] Checkout <fails> & @everyone**", text);
        Assert.Contains("- Web: major outage", text);
        Assert.Contains(Links.Incident!, text);
    }

    [Fact]
    public void An_sms_names_status_components_and_link_within_two_segments()
    {
        var sms = SmsText.Render(Opened with { Name = new string('x', 400) }, Texts.English, Links);

        Assert.StartsWith("[Investigating] Web, API: xxx", sms);
        Assert.True(sms.Length <= 300);
    }
}

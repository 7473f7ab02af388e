using System.Globalization;
using System.Text.Json.Nodes;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Messages;

/// <summary>
/// Webhook bodies in Statuspage's documented shape (reference/statuspage-api.md section 3): meta and page, plus
/// <c>incident</c> for incident events or <c>component</c> and <c>component_update</c> for a component status change,
/// so receivers written for Statuspage (Zulip, for one) work unchanged. A test ping carries only meta and page.
/// </summary>
public static class WebhookPayload
{
    private const string Documentation = "http://doers.statuspage.io/customer-notifications/webhooks/";

    public static string Render(Notice notice, string pageId, MessageLinks links, DateTimeOffset generatedAt)
    {
        var body = new JsonObject
        {
            ["meta"] = new JsonObject
            {
                ["unsubscribe"] = links.Unsubscribe,
                ["documentation"] = Documentation,
                ["generated_at"] = Time(generatedAt),
            },
            ["page"] = new JsonObject
            {
                ["id"] = pageId,
                // Notify.Service does not hold the page state; the incident's own impact is the closest honest value.
                ["status_indicator"] = notice.IncidentId is null || notice.Kind is NoticeKind.Resolved or NoticeKind.Postmortem ? "none" : notice.Impact,
                ["status_description"] = notice.IncidentId is null || notice.Kind is NoticeKind.Resolved ? "All Systems Operational" : "Active Incident",
            },
        };
        if (notice.Kind == NoticeKind.Ping)
            body["meta"]!["event"] = "ping";
        else if (notice.Component is { } change)
        {
            body["component"] = Component(change.ComponentId, change.Name, change.NewStatus, pageId, change.ChangedAt);
            body["component_update"] = new JsonObject
            {
                ["old_status"] = change.OldStatus,
                ["new_status"] = change.NewStatus,
                ["created_at"] = Time(change.ChangedAt),
                ["component_type"] = "Component",
                ["id"] = $"{change.ComponentId}-{change.ChangedAt.ToUnixTimeMilliseconds()}",
                ["component_id"] = change.ComponentId,
            };
        }
        else if (notice.IncidentId is { } incidentId)
            body["incident"] = Incident(notice, incidentId, pageId, links);
        return body.ToJsonString();
    }

    private static JsonObject Incident(Notice notice, string incidentId, string pageId, MessageLinks links)
    {
        var at = Time(notice.At);
        var resolved = notice.Kind is NoticeKind.Resolved or NoticeKind.Postmortem;
        var update = new JsonObject
        {
            ["status"] = notice.Status,
            ["body"] = notice.Body,
            ["created_at"] = at,
            ["wants_twitter_update"] = false,
            ["twitter_updated_at"] = null,
            ["updated_at"] = at,
            ["display_at"] = at,
            ["affected_components"] = new JsonArray([.. notice.Components.Select(c => (JsonNode)new JsonObject
            {
                ["code"] = c.ComponentId,
                ["name"] = c.Name,
                ["old_status"] = null,
                ["new_status"] = c.Status,
            })]),
            ["custom_tweet"] = null,
            ["deliver_notifications"] = notice.DeliverNotifications,
            ["id"] = string.IsNullOrEmpty(notice.UpdateId) ? $"{incidentId}-{notice.At.ToUnixTimeMilliseconds()}" : notice.UpdateId,
            ["incident_id"] = incidentId,
        };
        return new JsonObject
        {
            ["name"] = notice.Name,
            ["status"] = notice.Status,
            ["created_at"] = Time(notice.OpenedAt ?? notice.At),
            ["updated_at"] = at,
            ["monitoring_at"] = notice.Status == IncidentStatus.Monitoring ? at : null,
            ["resolved_at"] = resolved ? at : null,
            ["impact"] = notice.Impact,
            ["shortlink"] = links.Incident,
            ["postmortem_ignored"] = false,
            ["postmortem_body"] = notice.Kind == NoticeKind.Postmortem ? notice.Body : null,
            ["postmortem_body_last_updated_at"] = null,
            ["postmortem_published_at"] = notice.Kind == NoticeKind.Postmortem ? at : null,
            ["postmortem_notified_subscribers"] = false,
            ["postmortem_notified_twitter"] = false,
            ["backfilled"] = false,
            ["scheduled_for"] = null,
            ["scheduled_until"] = null,
            ["scheduled_remind_prior"] = false,
            ["scheduled_reminded_at"] = null,
            ["impact_override"] = null,
            ["scheduled_auto_in_progress"] = false,
            ["scheduled_auto_completed"] = false,
            ["id"] = incidentId,
            ["page_id"] = pageId,
            ["incident_updates"] = new JsonArray(update),
            ["components"] = new JsonArray([.. notice.Components.Select(c => (JsonNode)Component(c.ComponentId, c.Name, c.Status, pageId, notice.At))]),
        };
    }

    private static JsonObject Component(string id, string name, string status, string pageId, DateTimeOffset at) => new()
    {
        ["status"] = status,
        ["name"] = name,
        ["created_at"] = null,
        ["updated_at"] = Time(at),
        ["position"] = null,
        ["description"] = null,
        ["showcase"] = false,
        ["id"] = id,
        ["page_id"] = pageId,
        ["group_id"] = null,
    };

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

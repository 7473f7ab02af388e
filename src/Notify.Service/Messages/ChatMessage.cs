using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Messages;

/// <summary>
/// Incoming-webhook bodies per chat platform: Slack (blocks with a text fallback), Microsoft Teams (MessageCard),
/// Discord (content and an embed, mentions disabled so "@everyone" in an incident name pings nobody), Mattermost and
/// Google Chat (text). Event text is escaped for each platform's markup.
/// </summary>
public static class ChatMessage
{
    public static string Render(string platform, Notice notice, Texts texts, MessageLinks? links)
    {
        if (notice.Kind == NoticeKind.Digest)
            (notice, links) = DigestMessages.Flatten(notice, texts, links);
        var title = notice.Kind == NoticeKind.Ping
            ? texts.PingText
            : $"[{IncidentEmail.StatusLabel(texts, notice.Status)}] {IncidentEmail.OneLine(notice.Name)}";
        var components = notice.Components.Select(c => (Name: IncidentEmail.OneLine(c.Name), Status: IncidentEmail.Word(texts, c.Status))).ToList();
        var body = notice.Body.Trim();
        if (notice.Kind == NoticeKind.Persisting)
            body = $"{texts.StillOngoing}\n{body}";
        var link = links?.Incident;
        return platform switch
        {
            SubscriptionChannel.Slack => Slack(title, body, components, link, texts),
            SubscriptionChannel.Teams => Teams(title, body, components, link, notice, texts),
            SubscriptionChannel.Discord => Discord(title, body, components, link, notice),
            _ => new JsonObject { ["text"] = PlainMarkdown(title, body, components, link, texts) }.ToJsonString(),
        };
    }

    private static string Slack(string title, string body, List<(string Name, string Status)> components, string? link, Texts texts)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(title, 150) } },
        };
        if (body.Length > 0)
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(SlackEscape(body), 3000) } });
        if (components.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject
                {
                    ["type"] = "mrkdwn",
                    ["text"] = Cut(string.Join("\n", components.Select(c => $"• *{SlackEscape(c.Name)}*: {SlackEscape(c.Status)}")), 3000),
                },
            });
        }
        if (link is not null)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"<{link}|{SlackEscape(texts.ViewIncident)}>" }),
            });
        }
        return new JsonObject { ["text"] = SlackEscape(title), ["blocks"] = blocks }.ToJsonString();
    }

    private static string Teams(string title, string body, List<(string Name, string Status)> components, string? link, Notice notice, Texts texts)
    {
        var card = new JsonObject
        {
            ["@type"] = "MessageCard",
            ["@context"] = "https://schema.org/extensions",
            ["summary"] = Cut(title, 200),
            ["themeColor"] = Color(notice).ToString("X6", CultureInfo.InvariantCulture),
            ["title"] = title,
            ["text"] = body,
            ["sections"] = new JsonArray(new JsonObject
            {
                ["facts"] = new JsonArray([.. components.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["value"] = c.Status })]),
            }),
        };
        if (link is not null)
        {
            card["potentialAction"] = new JsonArray(new JsonObject
            {
                ["@type"] = "OpenUri",
                ["name"] = texts.ViewIncident,
                ["targets"] = new JsonArray(new JsonObject { ["os"] = "default", ["uri"] = link }),
            });
        }
        return card.ToJsonString();
    }

    private static string Discord(string title, string body, List<(string Name, string Status)> components, string? link, Notice notice)
    {
        var embed = new JsonObject
        {
            ["title"] = Cut(title, 256),
            ["description"] = Cut(body, 4096),
            ["color"] = Color(notice),
            ["timestamp"] = notice.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["fields"] = new JsonArray([.. components.Take(25).Select(c => (JsonNode)new JsonObject
            {
                ["name"] = Cut(c.Name, 256),
                ["value"] = Cut(c.Status, 1024),
                ["inline"] = true,
            })]),
        };
        if (link is not null)
            embed["url"] = link;
        return new JsonObject
        {
            ["content"] = Cut(title, 2000),
            ["embeds"] = new JsonArray(embed),
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        }.ToJsonString();
    }

    private static string PlainMarkdown(string title, string body, List<(string Name, string Status)> components, string? link, Texts texts)
    {
        var text = new StringBuilder().Append("**").Append(title).Append("**\n");
        if (body.Length > 0)
            text.Append(body).Append('\n');
        foreach (var (name, status) in components)
            text.Append("- ").Append(name).Append(": ").Append(status).Append('\n');
        if (link is not null)
            text.Append(texts.ViewIncident).Append(": ").Append(link);
        return Cut(text.ToString().TrimEnd(), 4000);
    }

    private static int Color(Notice notice) => notice.Kind == NoticeKind.Resolved ? 0x2FBF71
        : notice.Impact switch { IncidentImpact.Critical => 0xD62728, IncidentImpact.Major => 0xF0883E, IncidentImpact.Minor => 0xF2C94C, _ => 0x5B8DEF };

    // Slack treats &, < and > as control characters in mrkdwn and plain text alike.
    private static string SlackEscape(string value) => value.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}

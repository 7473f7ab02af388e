using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace StatusPlatform.ServiceDefaults;

/// <summary>
/// Secrets that travel in URLs, cut out before a URL reaches a log line or a span: the push tokens of heartbeat and
/// alert receivers (/api/heartbeat/{token}, /api/webhooks/{source}/{token}), subscription manage tokens
/// (/api/v2/subscriptions/{token}), the token, key, secret and signature query parameters of confirm, manage and
/// unsubscribe links, and the secret path of chat incoming webhooks (Slack, Teams, Discord, Mattermost). A log reader
/// or an OTLP backend is not trusted with them: whoever holds one can report a monitor down or end a subscription.
/// </summary>
public static partial class SecretRedaction
{
    public const string Placeholder = "{token}";

    /// <summary>The text with every secret-bearing URL part replaced by <see cref="Placeholder"/>.</summary>
    public static string Redact(string text)
    {
        if (text.Length < 6 || !MayHoldSecret(text))
            return text;
        var redacted = PathSecret().Replace(text, "${prefix}" + Placeholder);
        return QuerySecret().Replace(redacted, "${prefix}" + Placeholder);
    }

    /// <summary>A cheap look before the expressions: most log lines hold no URL at all.</summary>
    private static bool MayHoldSecret(string text) =>
        text.Contains('/', StringComparison.Ordinal) || text.Contains('=', StringComparison.Ordinal);

    // One segment after a known prefix; "confirm" is the public endpoint's own name, not a token.
    [GeneratedRegex("""(?<prefix>/api/heartbeat/|/api/webhooks/[^/?#\s"'<>]+/|/api/v2/subscriptions/(?!confirm(?:[/?#\s"'<>]|$))|hooks\.slack\.com/services/|/webhookb2/|/hooks/)[^?#\s"'<>]+""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PathSecret();

    [GeneratedRegex("""(?<prefix>[?&](?:token|manage_?token|key|api_?key|access_token|secret|signature|sig)=)[^&#\s"'<>]+""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuerySecret();
}

/// <summary>
/// Redacts span names and URL attributes as each span ends, before any exporter sees it. Outbound HTTP spans keep only
/// scheme, host and port: a subscriber's webhook URL is the subscriber's secret, whatever its shape.
/// </summary>
public sealed class SecretRedactingProcessor : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.full", "url.path", "url.query", "http.url", "http.target", "url.original"];

    public override void OnEnd(Activity data)
    {
        data.DisplayName = SecretRedaction.Redact(data.DisplayName);
        var outbound = data.Kind == ActivityKind.Client && data.Source.Name == "System.Net.Http";
        foreach (var key in UrlTags)
        {
            if (data.GetTagItem(key) is not string value)
                continue;
            data.SetTag(key, outbound && key == "url.full" && Uri.TryCreate(value, UriKind.Absolute, out var uri)
                ? $"{uri.Scheme}://{uri.Authority}/{{redacted}}"
                : SecretRedaction.Redact(value));
        }
    }
}

using System.Diagnostics;
using System.Reflection;
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
/// Redacts span names, URL attributes and recorded exceptions as each span ends, before any exporter sees it. Outbound
/// HTTP spans keep only scheme, host and port: a subscriber's webhook URL is the subscriber's secret, whatever its shape.
/// </summary>
public sealed class SecretRedactingProcessor : BaseProcessor<Activity>
{
    private const string MessageTag = "exception.message";
    private const string StackTraceTag = "exception.stacktrace";

    private static readonly string[] UrlTags = ["url.full", "url.path", "url.query", "http.url", "http.target", "url.original"];

    // What an exception leaves on the span itself (some libraries set these as attributes rather than as an event).
    private static readonly string[] ExceptionTags = [MessageTag, StackTraceTag, "error.message"];

    // Events cannot be changed or removed through Activity's API (since .NET 10 not even their tags); see RedactEvents.
    private static readonly FieldInfo? EventsField = typeof(Activity).GetField("_events", BindingFlags.Instance | BindingFlags.NonPublic);

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
        foreach (var key in ExceptionTags)
        {
            if (data.GetTagItem(key) is string value && SecretRedaction.Redact(value) is var redacted && redacted != value)
                data.SetTag(key, redacted);
        }
        // MassTransit sets the status to the exception's message.
        if (data.StatusDescription is { } description && SecretRedaction.Redact(description) is var redactedDescription && redactedDescription != description)
            data.SetStatus(data.Status, redactedDescription);
        RedactEvents(data);
    }

    /// <summary>
    /// A listener that gives <see cref="Activity.AddException"/> (Npgsql's error events, ours, the runtime's) the
    /// exception's message and stack already redacted, so the event is made without the secret; AddException fills in
    /// only the tags a listener left out. Disposing it stops that.
    /// </summary>
    public static ActivityListener ListenForExceptions(IReadOnlyList<string> sources)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Any(name => name.EndsWith(".*", StringComparison.Ordinal)
                ? source.Name.StartsWith(name[..^1], StringComparison.Ordinal)
                : source.Name == name),
            // No Sample callback: this listener has no say in which activities are created or recorded.
            ExceptionRecorder = RecordRedacted,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static void RecordRedacted(Activity activity, Exception exception, ref TagList tags)
    {
        var message = exception.Message;
        var text = exception.ToString();
        var redactedMessage = SecretRedaction.Redact(message);
        var redactedText = SecretRedaction.Redact(text);
        if (redactedMessage == message && redactedText == text)
            return;
        var (hasMessage, hasStackTrace) = (false, false);
        foreach (var (key, _) in tags)
        {
            hasMessage |= key == MessageTag;
            hasStackTrace |= key == StackTraceTag;
        }
        if (!hasMessage)
            tags.Add(MessageTag, redactedMessage);
        if (!hasStackTrace)
            tags.Add(StackTraceTag, redactedText);
    }

    /// <summary>
    /// An event a library built itself with the exception's text (MassTransit's "exception" event) is replaced by a
    /// redacted copy: the activity's event list is emptied and refilled in order. Should a runtime ever lack the list's
    /// field, the span is not exported at all rather than exported with the secret.
    /// </summary>
    private static void RedactEvents(Activity data)
    {
        if (!data.Events.Any(HoldsSecret))
            return;
        List<ActivityEvent> events = [.. data.Events.Select(Redacted)];
        if (EventsField is null)
        {
            Telemetry.Unrecord(data);
            return;
        }
        EventsField.SetValue(data, null);
        foreach (var activityEvent in events)
            data.AddEvent(activityEvent);
    }

    private static bool HoldsSecret(ActivityEvent activityEvent) =>
        activityEvent.Tags.Any(tag => tag.Value is string text && SecretRedaction.Redact(text) != text);

    private static ActivityEvent Redacted(ActivityEvent activityEvent) => !HoldsSecret(activityEvent) ? activityEvent
        : new ActivityEvent(activityEvent.Name, activityEvent.Timestamp,
            new ActivityTagsCollection(activityEvent.Tags.Select(tag => tag.Value is string text ? new KeyValuePair<string, object?>(tag.Key, SecretRedaction.Redact(text)) : tag)));
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>What became of one attempt at a claimed delivery.</summary>
public enum DeliveryOutcome
{
    Sent,

    /// <summary>Failed, pending again for a later attempt.</summary>
    Retrying,

    /// <summary>Failed for good: permanent, out of attempts, or no sender for the channel.</summary>
    Failed,

    /// <summary>Failed, and this failure quarantined the subscriber (the delivery fails for good too).</summary>
    Quarantined,

    /// <summary>The destination's circuit is open: put back without an attempt.</summary>
    Deferred,

    /// <summary>Not sent: the subscriber left, is quarantined or never confirmed.</summary>
    Skipped,
}

/// <summary>
/// Notify.Service's instruments and its send span ("notify.send email"). The span's parent is the trace the event came
/// with (stored in notify.notices), so one outage stays one trace from the failed check to the email. Tags stay
/// low-cardinality (channel, outcome, reason); subscriber and delivery ids go on the span, never on a metric.
/// </summary>
public sealed class NotifyMetrics
{
    public const string MeterName = "StatusPlatform.Notify";
    public const string ActivitySourceName = "StatusPlatform.Notify";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly Counter<long> _sent;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _quarantines;
    private readonly Counter<long> _digests;
    private readonly Counter<long> _folded;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _duration;

    public NotifyMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>("statusplatform.notify.deliveries.sent", "{delivery}", "Deliveries the receiver accepted, per channel");
        _retried = meter.CreateCounter<long>("statusplatform.notify.deliveries.retried", "{delivery}",
            "Failed attempts that will be tried again, per channel");
        _failed = meter.CreateCounter<long>("statusplatform.notify.deliveries.failed", "{delivery}",
            "Deliveries failed for good, per channel and reason (permanent, attempts, quarantined, no_sender)");
        _deferred = meter.CreateCounter<long>("statusplatform.notify.deliveries.deferred", "{delivery}",
            "Deliveries put back because their destination's circuit was open, per channel");
        _skipped = meter.CreateCounter<long>("statusplatform.notify.deliveries.skipped", "{delivery}",
            "Deliveries not sent because the subscriber left, is quarantined or unconfirmed, per channel");
        _quarantines = meter.CreateCounter<long>("statusplatform.notify.quarantines", "{subscriber}",
            "Subscribers quarantined after repeated failed deliveries, per channel");
        _digests = meter.CreateCounter<long>("statusplatform.notify.digests", "{digest}", "Digests made, per channel");
        _folded = meter.CreateCounter<long>("statusplatform.notify.deliveries.folded", "{delivery}", "Deliveries folded into a digest, per channel");
        _latency = meter.CreateHistogram<double>("statusplatform.notify.delivery.latency", "s",
            "From a delivery being recorded to the receiver accepting it (digest holds and retries included), per channel",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800] });
        _duration = meter.CreateHistogram<double>("statusplatform.notify.send.duration", "s", "One send attempt, per channel and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>Counts one attempt's outcome; <paramref name="reason"/> says why a delivery failed for good.</summary>
    public void Record(DeliveryToSend row, DeliveryOutcome outcome, TimeSpan attempt, DateTimeOffset now, string? reason = null)
    {
        var channel = new KeyValuePair<string, object?>("channel", row.Channel);
        switch (outcome)
        {
            case DeliveryOutcome.Sent:
                _sent.Add(1, channel);
                if (row.CreatedAt != default)
                    _latency.Record(Math.Max(0, (now - row.CreatedAt).TotalSeconds), channel);
                break;
            case DeliveryOutcome.Retrying:
                _retried.Add(1, channel);
                break;
            case DeliveryOutcome.Failed:
                _failed.Add(1, channel, new KeyValuePair<string, object?>("reason", reason ?? "permanent"));
                break;
            case DeliveryOutcome.Quarantined:
                _failed.Add(1, channel, new KeyValuePair<string, object?>("reason", "quarantined"));
                _quarantines.Add(1, channel);
                break;
            case DeliveryOutcome.Deferred:
                _deferred.Add(1, channel);
                break;
            case DeliveryOutcome.Skipped:
                _skipped.Add(1, channel);
                return; // nothing was attempted
        }
        if (outcome != DeliveryOutcome.Deferred)
            _duration.Record(attempt.TotalSeconds, channel, new KeyValuePair<string, object?>("outcome", Name(outcome)));
    }

    public void DigestMade(string channel, int folded)
    {
        var tag = new KeyValuePair<string, object?>("channel", channel);
        _digests.Add(1, tag);
        _folded.Add(folded, tag);
    }

    /// <summary>The span of one send, continuing the event's trace (a missing or malformed traceparent starts a new one).</summary>
    public static Activity? StartSend(DeliveryToSend row)
    {
        ActivityContext.TryParse(row.TraceParent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity($"notify.send {row.Channel}", ActivityKind.Client, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("statusplatform.delivery.id", row.Id.ToString());
            activity.SetTag("statusplatform.delivery.channel", row.Channel);
            activity.SetTag("statusplatform.delivery.kind", row.Kind);
            activity.SetTag("statusplatform.delivery.attempt", row.Attempts + 1);
            activity.SetTag("statusplatform.event.id", row.EventId.ToString());
        }
        return activity;
    }

    public static void EndSend(Activity? activity, DeliveryOutcome outcome, string? error)
    {
        if (activity is null)
            return;
        activity.SetTag("statusplatform.delivery.outcome", Name(outcome));
        if (outcome is DeliveryOutcome.Sent or DeliveryOutcome.Skipped)
            activity.SetStatus(ActivityStatusCode.Ok);
        else
            activity.SetStatus(ActivityStatusCode.Error, error);
    }

    public static string Name(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Sent => "sent",
        DeliveryOutcome.Retrying => "retrying",
        DeliveryOutcome.Failed => "failed",
        DeliveryOutcome.Quarantined => "quarantined",
        DeliveryOutcome.Deferred => "deferred",
        _ => "skipped",
    };
}

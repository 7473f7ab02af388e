using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Deliveries;

/// <summary>
/// The delivery counters move with the right channel and reason, and each send is a span in the incident's trace:
/// a webhook that works, one that fails once and is retried, and one that keeps failing until it is quarantined.
/// </summary>
public sealed class DeliveryTelemetryTests
{
    [Fact]
    public async Task Sent_retried_and_quarantined_deliveries_move_their_counters_and_each_send_is_a_span_in_the_incident_trace()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(
            ("Notify:QuarantineAfter", "2"), ("Delivery:MaxAttempts", "10"), ("Notify:Digest:Enabled", "false")));
        using var telemetry = new Telemetry(given.Service.Services.GetRequiredService<IMeterFactory>());
        foreach (var hook in new[] { "/ok", "/flaky", "/bad" })
            await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url(hook), [ServiceWithSubscribers.Api]));
        await Eventually.Until(() => given.Service.DeliveryDetailsAsync(), rows => rows.Count == 3 && rows.All(r => r.Status == "sent"),
            NotifyServiceHost.Patience, "the three pings to be sent");
        telemetry.Clear();
        var flakyCalls = 0;
        receiver.Respond = request => request.Path switch
        {
            "/bad" => (500, "boom"),
            "/flaky" when Interlocked.Increment(ref flakyCalls) == 1 => (503, "try again"),
            _ => (200, ""),
        };

        var messageId = NewId.NextGuid();
        var traceId = ActivityTraceId.CreateRandom();
        using (new Activity("incident-published").SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start())
            await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), messageId);

        var rows = await given.Service.WaitUntilSettledAsync(messageId, expected: 5); // two email subscribers of the API and three hooks
        Assert.Equal(("failed", 2), rows.Where(r => r.Recipient == receiver.Url("/bad")).Select(r => (r.Status, r.Attempts)).Single());
        Assert.Equal(("sent", 2), rows.Where(r => r.Recipient == receiver.Url("/flaky")).Select(r => (r.Status, r.Attempts)).Single());

        Assert.Equal(2, telemetry.Sum("statusplatform.notify.deliveries.sent", "webhook"));
        Assert.Equal(2, telemetry.Sum("statusplatform.notify.deliveries.sent", "email"));
        Assert.Equal(2, telemetry.Sum("statusplatform.notify.deliveries.retried", "webhook")); // /flaky once, /bad once before its quarantine
        Assert.Equal(1, telemetry.Sum("statusplatform.notify.deliveries.failed", "webhook", ("reason", "quarantined")));
        Assert.Equal(1, telemetry.Sum("statusplatform.notify.quarantines", "webhook"));
        Assert.Equal(0, telemetry.Sum("statusplatform.notify.deliveries.retried", "email"));
        Assert.Equal(2, telemetry.Count("statusplatform.notify.delivery.latency", "webhook"));

        var spans = telemetry.Spans(traceId);
        Assert.Equal(7, spans.Count); // 2 emails, /ok, /flaky twice, /bad twice
        Assert.All(spans, s => Assert.Equal(ActivityKind.Client, s.Kind));
        Assert.Equal(
            ["quarantined", "retrying", "retrying", "sent", "sent"],
            spans.Where(s => s.OperationName == "notify.send webhook").Select(s => (string)s.GetTagItem("statusplatform.delivery.outcome")!).Order());
        Assert.Equal(2, spans.Count(s => s.OperationName == "notify.send email" && (string?)s.GetTagItem("statusplatform.delivery.outcome") == "sent"));
        Assert.All(spans.Where(s => (string?)s.GetTagItem("statusplatform.delivery.outcome") != "sent"), s => Assert.Equal(ActivityStatusCode.Error, s.Status));
    }

    /// <summary>Listens to this service's meter only (other tests run their own services in parallel) and to send spans of one trace.</summary>
    private sealed class Telemetry : IDisposable
    {
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _spans;
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public Telemetry(IMeterFactory factory)
        {
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NotifyMetrics.MeterName && instrument.Meter.Scope == factory)
                    listener.EnableMeasurementEvents(instrument);
            };
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _meters.Start();
            _spans = new ActivityListener
            {
                ShouldListenTo = source => source.Name == NotifyMetrics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_spans);
        }

        public void Clear() => _measurements.Clear();

        public double Sum(string instrument, string channel, params (string Key, string Value)[] tags) =>
            Matching(instrument, channel, tags).Sum(m => m.Value);

        public int Count(string instrument, string channel) => Matching(instrument, channel, []).Count();

        public List<Activity> Spans(ActivityTraceId traceId) => [.. _stopped.Where(a => a.TraceId == traceId)];

        private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Matching(string instrument, string channel, (string Key, string Value)[] tags) =>
            _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("channel"), channel)
                && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)));

        private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
                copy[tag.Key] = tag.Value;
            _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
        }

        public void Dispose()
        {
            _meters.Dispose();
            _spans.Dispose();
        }
    }
}

using StatusPlatform.TestSupport;
using Xunit.Abstractions;

namespace StatusPlatform.Operations.Tests.Telemetry;

/// <summary>
/// One outage is one trace: the probe's failed check, Incident.Service's fold and event store append, the relay
/// publishing from a background loop (continuing the trace stored in the event's metadata), and Notify.Service
/// consuming the incident all share a trace id, received over OTLP/HTTP as an operator's collector would.
/// </summary>
public sealed class OutageTraceTests(TracedSuite suite, ITestOutputHelper output) : IClassFixture<TracedSuite>
{
    private static readonly TimeSpan Detection = TimeSpan.FromSeconds(TracedSuite.IntervalSeconds * 2 + 40);

    [Fact]
    public async Task A_failed_check_and_the_incident_it_opens_are_one_trace_across_probe_incident_and_notify()
    {
        try
        {
            await Eventually.Until(() => Task.FromResult(suite.Otlp.Spans.Any(s => s.Service == "probe")), TimeSpan.FromSeconds(60),
                "a first span from the probe");
            suite.Target.IsUp = false;

            // The relay's span continues the trace of the check that caused the transition; Notify consumes under it.
            var trace = await Eventually.Until(() => Task.FromResult(OutageTrace()), t => t is not null, Detection,
                "one trace with spans from probe, the relay of IncidentOpened and notify");
            var spans = suite.Otlp.Spans.Where(s => s.TraceId == trace).ToList();
            foreach (var s in spans.OrderBy(s => s.Service))
                output.WriteLine($"{s.Service,-10} {s.SpanId} <- {s.ParentSpanId,-16} {s.Name}");

            // probe publishes the result -> incident consumes and folds it (MassTransit names spans after the queue)
            var published = Assert.Single(spans, s => s.Service == "probe" && s.Name.Contains("CheckCompleted", StringComparison.Ordinal));
            var received = Assert.Single(spans, s => s.Service == "incident" && s.ParentSpanId == published.SpanId);
            var folded = Assert.Single(spans, s => s.Service == "incident" && s.ParentSpanId == received.SpanId && s.Name.EndsWith("process", StringComparison.Ordinal));
            // -> the relay, on its own loop later, continues the trace the fold stored in the event's metadata
            var relay = Assert.Single(spans, s => s.Service == "incident" && s.Name == "relay incident_opened");
            Assert.Equal(folded.SpanId, relay.ParentSpanId);
            // -> the broker publish under the relay's span -> Notify.Service consuming the incident
            var send = Assert.Single(spans, s => s.Service == "incident" && s.ParentSpanId == relay.SpanId && s.Name.Contains("IncidentOpened", StringComparison.Ordinal));
            // (Notify's receive span is exported when it ends, which can be after the spans read above: wait for it.)
            await Eventually.Until(() => Task.FromResult(suite.Otlp.Spans.Any(s => s.TraceId == trace && s.Service == "notify" && s.ParentSpanId == send.SpanId)),
                TimeSpan.FromSeconds(15), "Notify.Service consuming IncidentOpened under the relay's send");
            // Every span of the trace has its parent in the trace except the probe's root: no broken link on the way.
            // (A parent is exported when it ends, after its children: wait for the stragglers.)
            await Eventually.Until(() => Task.FromResult(Roots(trace!)), roots => roots == $"probe:{published.Name}", TimeSpan.FromSeconds(15),
                "the outage's trace to have the probe's publish as its only root");

            // Logs carry trace ids: something written while folding this outage is in the same trace.
            await Eventually.Until(() => Task.FromResult(suite.Otlp.Logs.Any(l => l.TraceId == trace)), TimeSpan.FromSeconds(15),
                "a log record in the outage's trace");
        }
        finally
        {
            foreach (var line in suite.Log.TakeLast(200))
                output.WriteLine(line);
        }
    }

    [Fact]
    public async Task The_services_export_the_operational_metrics()
    {
        string[] expected =
        [
            "probe/statusplatform.probe.checks", "probe/statusplatform.probe.check.duration", "probe/statusplatform.probe.schedule.drift",
            "incident/statusplatform.relay.lag", "incident/statusplatform.eventstore.subscription.events", "incident/messaging.masstransit.delivery.duration",
            "incident/statusplatform.fold.lag", "incident/statusplatform.eventstore.sequencer.pending", "incident/statusplatform.eventstore.sequencer.lag",
            "incident/statusplatform.eventstore.subscription.pending", "incident/statusplatform.eventstore.subscription.lag",
            "incident/http.server.request.duration", "notify/http.server.request.duration",
        ];
        await Eventually.Until(() => Task.FromResult(expected.Except(suite.Otlp.Metrics.Keys.Select(k => $"{k.Service}/{k.Metric}")).ToList()),
            missing => missing.Count == 0, TimeSpan.FromSeconds(60), "the operational metrics from probe, incident and notify");
    }

    private string Roots(string trace)
    {
        var spans = suite.Otlp.Spans.Where(s => s.TraceId == trace).ToList();
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return string.Join(", ", spans.Where(s => !ids.Contains(s.ParentSpanId)).Select(s => $"{s.Service}:{s.Name}"));
    }

    private string? OutageTrace() =>
        suite.Otlp.Spans.Where(s => s.Service == "incident" && s.Name == "relay incident_opened")
            .Select(s => s.TraceId)
            .FirstOrDefault(trace => suite.Otlp.Spans.Any(s => s.TraceId == trace && s.Service == "probe")
                && suite.Otlp.Spans.Any(s => s.TraceId == trace && s.Service == "notify" && s.Name.EndsWith("process", StringComparison.Ordinal)));
}

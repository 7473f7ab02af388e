using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Operations.Tests.Telemetry;

/// <summary>A span as received: which service sent it, its trace, its own id, its parent and its name.</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name);

/// <summary>A log record as received, with the trace it was written under (empty when none).</summary>
public sealed record ReceivedLog(string Service, string TraceId, string Body);

/// <summary>
/// An OTLP/HTTP (protobuf) collector on a loopback port: POST /v1/traces, /v1/metrics and /v1/logs, decoded down to
/// what the tests assert on: service.name, trace and span ids, span names, metric names and log trace ids.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentBag<ReceivedSpan> Spans { get; } = [];
    public ConcurrentBag<ReceivedLog> Logs { get; } = [];
    public ConcurrentDictionary<(string Service, string Metric), bool> Metrics { get; } = new();

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", context => AcceptAsync(context, receiver.ReadTraces));
        app.MapPost("/v1/metrics", context => AcceptAsync(context, receiver.ReadMetrics));
        app.MapPost("/v1/logs", context => AcceptAsync(context, receiver.ReadLogs));
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Urls.Single());
        return receiver;
    }

    private static async Task AcceptAsync(HttpContext context, Action<ReadOnlyMemory<byte>> read)
    {
        if (context.Request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        read(body.GetBuffer().AsMemory(0, (int)body.Length));
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK; // an empty Export*ServiceResponse: everything accepted
    }

    // ExportTraceServiceRequest.resource_spans(1) -> ResourceSpans{resource(1), scope_spans(2)} -> ScopeSpans{spans(2)}
    //   -> Span{trace_id(1), span_id(2), parent_span_id(4), name(5)}
    private void ReadTraces(ReadOnlyMemory<byte> request)
    {
        foreach (var resourceSpans in request.Fields(1))
        {
            var service = ServiceName(resourceSpans.Bytes);
            foreach (var scopeSpans in resourceSpans.Bytes.Fields(2))
            {
                foreach (var span in scopeSpans.Bytes.Fields(2))
                {
                    string traceId = "", spanId = "", parent = "", name = "";
                    foreach (var f in Protobuf.Read(span.Bytes))
                    {
                        switch (f.Number)
                        {
                            case 1: traceId = f.Hex; break;
                            case 2: spanId = f.Hex; break;
                            case 4: parent = f.Hex; break;
                            case 5: name = f.Text; break;
                        }
                    }
                    Spans.Add(new ReceivedSpan(service, traceId, spanId, parent, name));
                }
            }
        }
    }

    // ExportMetricsServiceRequest.resource_metrics(1) -> {resource(1), scope_metrics(2)} -> ScopeMetrics{metrics(2)} -> Metric{name(1)}
    private void ReadMetrics(ReadOnlyMemory<byte> request)
    {
        foreach (var resourceMetrics in request.Fields(1))
        {
            var service = ServiceName(resourceMetrics.Bytes);
            foreach (var scopeMetrics in resourceMetrics.Bytes.Fields(2))
            {
                foreach (var metric in scopeMetrics.Bytes.Fields(2))
                {
                    foreach (var name in metric.Bytes.Fields(1))
                        Metrics[(service, name.Text)] = true;
                }
            }
        }
    }

    // ExportLogsServiceRequest.resource_logs(1) -> {resource(1), scope_logs(2)} -> ScopeLogs{log_records(2)}
    //   -> LogRecord{body(5): AnyValue, trace_id(9)}
    private void ReadLogs(ReadOnlyMemory<byte> request)
    {
        foreach (var resourceLogs in request.Fields(1))
        {
            var service = ServiceName(resourceLogs.Bytes);
            foreach (var scopeLogs in resourceLogs.Bytes.Fields(2))
            {
                foreach (var record in scopeLogs.Bytes.Fields(2))
                {
                    string traceId = "", body = "";
                    foreach (var f in Protobuf.Read(record.Bytes))
                    {
                        if (f.Number == 9)
                            traceId = f.Hex;
                        else if (f.Number == 5)
                            body = f.Bytes.Fields(1).Select(v => v.Text).FirstOrDefault() ?? "";
                    }
                    Logs.Add(new ReceivedLog(service, traceId, body));
                }
            }
        }
    }

    // Resource{attributes(1): KeyValue{key(1), value(2): AnyValue{string_value(1)}}}
    private static string ServiceName(ReadOnlyMemory<byte> resourceMessage)
    {
        foreach (var resource in resourceMessage.Fields(1))
        {
            foreach (var attribute in resource.Bytes.Fields(1))
            {
                var key = attribute.Bytes.Fields(1).Select(f => f.Text).FirstOrDefault();
                if (key == "service.name")
                    return attribute.Bytes.Fields(2).SelectMany(v => v.Bytes.Fields(1)).Select(v => v.Text).FirstOrDefault() ?? "";
            }
        }
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace StatusPlatform.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs through the core SDK (the hosting extensions are not on the package mirror):
/// built with <see cref="OpenTelemetrySdk.Create"/>, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set,
/// flushed and disposed when the host stops.
/// </summary>
public static class Telemetry
{
    /// <summary>Our own sources and meters all start with this prefix.</summary>
    public const string Prefix = "StatusPlatform";

    private static readonly string[] Sources = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "MassTransit", $"{Prefix}.*"];
    private static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "Npgsql", "MassTransit", $"{Prefix}.*",
    ];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var export = !string.IsNullOrWhiteSpace(endpoint);
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;

        var sdk = OpenTelemetrySdk.Create(otel =>
        {
            otel.ConfigureResource(resource => resource.AddService(serviceName));
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(Sources);
                // Before the exporter: processors run in the order they are added.
                tracing.AddProcessor(new SecretRedactingProcessor());
                if (export)
                    tracing.AddOtlpExporter();
            });
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (export)
                    metrics.AddOtlpExporter();
            });
            otel.WithLogging(logging =>
            {
                if (export)
                    logging.AddOtlpExporter();
            }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            });
        });

        builder.Logging.AddProvider(new LoggerBridge(sdk.GetLoggerFactory()));
        // Every provider, the OTLP bridge included, gets log records with the secrets of URLs cut out.
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(ActivatorUtilities.CreateInstance<LoggerFactory>(sp))));
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // Exceptions recorded on spans get their text redacted as the event is made; the processor catches the rest.
        var exceptionRedaction = SecretRedactingProcessor.ListenForExceptions(Sources);
        builder.Services.AddSingleton(sdk);
        builder.Services.AddHostedService(_ => new SdkLifetime(sdk, exceptionRedaction));
        return builder;
    }

    /// <summary>Keeps an activity from being exported (its sampling decision was already made when it started).</summary>
    public static void Unrecord(Activity? activity)
    {
        if (activity is null)
            return;
        activity.IsAllDataRequested = false;
        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
    }

    /// <summary>Feeds the host's ILogger pipeline into the SDK's logger provider.</summary>
    private sealed class LoggerBridge(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class SdkLifetime(OpenTelemetrySdk sdk, ActivityListener exceptionRedaction) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            sdk.Dispose(); // flushes what is still buffered
            exceptionRedaction.Dispose();
            return Task.CompletedTask;
        }
    }
}

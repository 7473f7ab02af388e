using StatusPlatform.Bench;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StatusPlatform.Ingestion.Bench;

internal sealed record IngestionResults(DateTimeOffset FinishedAt, string Machine, BenchOptions Options, Measurement Reference, Measurement Ingestion,
    long IdleRssBytes, long PeakRssBytes, int? Prefetch)
{
    public double Ratio => Ingestion.Rate / Reference.Rate;

    public bool RateMet => Ingestion.Complete && Ingestion.Rate >= Report.RateTarget;

    public bool RatioMet => Ingestion.Complete && Ratio >= Report.RatioTarget;
}

/// <summary>The table: Incident.Service's fold against MassTransit doing nothing with the same messages, and the targets.</summary>
internal static class Report
{
    public const double RateTarget = 5_000;
    public const double RatioTarget = 0.5;

    public static bool Print(TextWriter output, IngestionResults r)
    {
        var o = r.Options;
        output.WriteLine(I($"Ingestion.Bench ({ServiceProcess.Configuration}): {o.Results:N0} CheckCompleted for {o.Monitors:N0} monitors, {o.Publishers} publishing loops with confirms; {r.Machine}"));
        output.WriteLine(I($"Incident.Service consumes with prefetch {(r.Prefetch?.ToString(CultureInfo.InvariantCulture) ?? "unknown")} on its check-completed queue"));
        output.WriteLine();
        output.WriteLine("                                               results/s  steady (20-80 %)   published/s    seconds   complete");
        Row(output, "raw: MassTransit publish + no-op consume", r.Reference);
        Row(output, "Incident.Service: broker -> fold -> checks", r.Ingestion);
        output.WriteLine();
        output.WriteLine(I($"rate:  {r.Ingestion.Rate,8:N0}/s   target >= {RateTarget:N0}/s     {(r.RateMet ? "met" : "NOT met")}"));
        output.WriteLine(I($"ratio: {r.Ratio,8:P0}     target >= {RatioTarget:P0} of raw  {(r.RatioMet ? "met" : "NOT met")}"));
        output.WriteLine(I($"Incident.Service resident memory: idle {r.IdleRssBytes / 1048576.0:0} MB, under this load up to {r.PeakRssBytes / 1048576.0:0} MB"));
        return r.RateMet && r.RatioMet;
    }

    private static void Row(TextWriter output, string name, Measurement m) =>
        output.WriteLine(I($"{name,-44} {m.Rate,11:N0} {m.SteadyRate,18:N0} {m.PublishRate,13:N0} {m.Seconds,10:0.0}   {(m.Complete ? "yes" : I($"no ({m.Results:N0})"))}"));

    public static async Task WriteJsonAsync(string path, IngestionResults r, CancellationToken ct)
    {
        var json = new JsonObject
        {
            ["bench"] = "Ingestion.Bench",
            ["finishedAt"] = r.FinishedAt,
            ["machine"] = r.Machine,
            ["options"] = JsonSerializer.SerializeToNode(r.Options),
            ["rate"] = Finite(r.Ingestion.Rate),
            ["steadyRate"] = Finite(r.Ingestion.SteadyRate),
            ["referenceRate"] = Finite(r.Reference.Rate),
            ["referenceSteadyRate"] = Finite(r.Reference.SteadyRate),
            ["ratio"] = Finite(r.Ratio),
            ["complete"] = r.Ingestion.Complete,
            ["publishRate"] = Finite(r.Ingestion.PublishRate),
            ["referencePublishRate"] = Finite(r.Reference.PublishRate),
            ["rateTarget"] = RateTarget,
            ["ratioTarget"] = RatioTarget,
            ["rateMet"] = r.RateMet,
            ["ratioMet"] = r.RatioMet,
            ["idleRssBytes"] = r.IdleRssBytes,
            ["peakRssBytes"] = r.PeakRssBytes,
            ["prefetch"] = r.Prefetch,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);
    }

    // A stalled run has no 80 % mark, so no steady rate; JSON has no NaN.
    private static JsonValue? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>RabbitMQ's management API: what prefetch the service's consumer asked for (the bound on folds in flight).</summary>
internal static class Management
{
    public static async Task<int?> PrefetchAsync(string vhost, string queueContains, CancellationToken ct)
    {
        var messaging = TestSupport.Infrastructure.MessagingUri;
        using var http = new HttpClient { BaseAddress = TestSupport.Infrastructure.RabbitManagementUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(messaging.UserInfo))));
        try
        {
            var consumers = await http.GetFromJsonAsync<JsonArray>(new Uri($"api/consumers/{Uri.EscapeDataString(vhost)}", UriKind.Relative), ct);
            return consumers?.OfType<JsonObject>()
                .Where(c => c["queue"]?["name"]?.GetValue<string>().Contains(queueContains, StringComparison.Ordinal) == true)
                .Select(c => c["prefetch_count"]?.GetValue<int>()).FirstOrDefault();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}

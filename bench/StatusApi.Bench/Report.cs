using System.Globalization;

namespace StatusPlatform.StatusApi.Bench;

internal sealed record BenchResults(
    BenchOptions Options,
    string LoadAverageBefore,
    int SummaryBytes,
    string NginxVersion,
    IReadOnlyList<(WrkResult Nginx, WrkResult StatusApi)> Pairs,
    (WrkResult Nginx, WrkResult StatusApi, int Changes)? UnderChange,
    Latencies NginxSingle,
    Latencies StatusApiSingle,
    Latencies NginxAfterPause,
    Latencies StatusApiAfterPause,
    ChangeResult AroundChanges);

/// <summary>The table: StatusApi against nginx, with the ratios and the issue's targets.</summary>
internal static class Report
{
    public const double RateTarget = 0.5;
    public const double P99Target = 2.0;

    public static bool Print(TextWriter output, BenchResults r)
    {
        var o = r.Options;
        var pass = true;
        output.WriteLine(I($"GET /api/v2/summary.json: StatusApi (Release, own process) against nginx {r.NginxVersion} serving the same {r.SummaryBytes:N0} bytes as a static file"));
        output.WriteLine(I($"machine: {Environment.ProcessorCount} cores, load average before the run {r.LoadAverageBefore}; wrk -t{o.Threads} --latency, {o.WarmupSeconds} s warm-up per server, {o.Seconds} s per run"));
        output.WriteLine();
        output.WriteLine("connections  server                        requests/s      p50 ms     p99 ms   errors   rate vs nginx   p99 vs nginx");
        foreach (var (nginx, statusApi) in r.Pairs)
        {
            Row(output, nginx.Connections, "nginx", nginx, null);
            pass &= Row(output, statusApi.Connections, "StatusApi", statusApi, nginx);
        }
        if (r.UnderChange is var (changingNginx, changing, changes))
        {
            // No target: the changes' writes, broker traffic and refreshes run on the same cores as both servers.
            output.WriteLine(I($"under change (no target): {changes} changes during the run, each a row update, a ComponentStatusChanged and a refresh"));
            Row(output, changing.Connections, I($"StatusApi, {o.ChangeRate} changes/s"), changing, changingNginx);
        }
        output.WriteLine();
        output.WriteLine(I($"single requests over one kept-alive connection ({o.Samples} each; 2 x {o.Changes} changes, after one to warm up):"));
        output.WriteLine("                                              p50 ms     p99 ms     max ms   p99 vs nginx");
        Single(output, "nginx, back to back", r.NginxSingle, null);
        pass &= Single(output, "StatusApi, back to back", r.StatusApiSingle, r.NginxSingle);
        var around = r.AroundChanges;
        Single(output, "nginx, after a 250 ms pause", r.NginxAfterPause, null);
        Single(output, "StatusApi, after a 250 ms pause", r.StatusApiAfterPause, r.NginxAfterPause);
        pass &= Single(output, "StatusApi, 250 ms after a change", around.FirstRequest, r.NginxAfterPause);
        Single(output, "StatusApi, first request to see a change", around.FirstToSee, null);
        Single(output, "change visible after (row + event -> ETag)", around.Visible, null);
        if (around.Late > 0)
        {
            output.WriteLine(I($"  {around.Late} of {o.Changes} changes were not visible 250 ms after they were made"));
            pass = false;
        }
        output.WriteLine();
        output.WriteLine(I($"targets: rate >= {RateTarget:P0} of nginx's, p99 <= {P99Target:0.0}x nginx's: {(pass ? "PASS" : "FAIL")}"));
        return pass;
    }

    private static bool Row(TextWriter output, int connections, string server, WrkResult result, WrkResult? nginx)
    {
        var line = I($"{connections,11}  {server,-28} {result.RequestsPerSecond,11:N0} {result.P50Ms,11:0.00} {result.P99Ms,10:0.00} {result.Errors + result.Non2xx,8}");
        if (nginx is null)
        {
            output.WriteLine(line);
            return true;
        }
        var rate = result.RequestsPerSecond / nginx.RequestsPerSecond;
        var p99 = result.P99Ms / nginx.P99Ms;
        var ok = rate >= RateTarget && p99 <= P99Target && result.Errors + result.Non2xx == 0;
        output.WriteLine(I($"{line}   {rate,8:P0} {Mark(rate >= RateTarget)}   {p99,8:0.00}x {Mark(p99 <= P99Target)}"));
        return ok;
    }

    private static bool Single(TextWriter output, string what, Latencies latencies, Latencies? nginx)
    {
        var line = I($"  {what,-42} {latencies.P50,8:0.000} {latencies.P99,10:0.000} {latencies.Max,10:0.000}");
        if (nginx is null)
        {
            output.WriteLine(line);
            return true;
        }
        var p99 = latencies.P99 / nginx.P99;
        output.WriteLine(I($"{line}   {p99,8:0.00}x {Mark(p99 <= P99Target)}"));
        return p99 <= P99Target;
    }

    private static string Mark(bool ok) => ok ? "ok " : "MISS";

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StatusPlatform.Bench;

namespace StatusPlatform.Storm.Bench;

internal sealed record StormResults(DateTimeOffset FinishedAt, string Machine, string LoadAtStart, string LoadAtEnd, string NginxVersion, BenchOptions Options,
    IReadOnlyList<WindowResult> Windows, IReadOnlyDictionary<string, long> BodyBytes,
    StormTimeline Storm, double StormSeconds, Counts AfterStorm, RecoveryTimeline Recovery, double RecoverySeconds, Counts AfterRecovery,
    PollStats Polls, IReadOnlyDictionary<string, long> PeakRssBytes, IReadOnlyDictionary<string, long> StormBacklog,
    IReadOnlyDictionary<string, long> RecoveryBacklog, IReadOnlyList<string> CpuNames, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Cores)
{
    public WindowResult? Find(string window, string endpoint) => Windows.FirstOrDefault(w => w.Window == window && w.Endpoint == endpoint);

    /// <summary>
    /// The storm's p99 for an endpoint: the larger of its two segments'. The 99th percentile of the whole storm is at most
    /// that (at most 1 % of each segment is slower), so judging the larger one never passes a storm that would fail.
    /// </summary>
    public double? StormP99(string endpoint) =>
        new[] { Find(Report.StormBefore, endpoint), Find(Report.StormChanging, endpoint) }.Where(w => w is { Requests: > 0 }).Select(w => w!.P99Ms)
            .DefaultIfEmpty(double.NaN).Max() is var p99 && double.IsFinite(p99) ? p99 : null;

    public long StormErrors(string endpoint) =>
        new[] { Find(Report.StormBefore, endpoint), Find(Report.StormChanging, endpoint) }.Sum(w => w?.Errors ?? 0);

    public double? StormRatio(string endpoint) => StormP99(endpoint) / Find(Report.Quiet, endpoint)?.P99Ms;

    /// <summary>Met when the page showed the whole storm within the limit, and per endpoint the storm's p99 is within 2x the quiet p99, with no errors in either.</summary>
    public bool Met(string endpoint) => Storm.Complete && StormRatio(endpoint) is { } ratio && ratio <= Report.RatioTarget
        && StormErrors(endpoint) == 0 && Find(Report.Quiet, endpoint)?.Errors == 0;

    public bool AllMet => Options.Paths.All(Met);
}

/// <summary>The table: per window and endpoint wrk's figures, the storm against the quiet window, and against nginx serving the same bytes.</summary>
internal static class Report
{
    public const string Quiet = "quiet (all up)";
    public const string StormBefore = "storm: failing, page unchanged";
    public const string StormChanging = "storm: page changing";
    public const string Recovery = "recovery";
    public const string NginxQuiet = "nginx, quiet bytes";
    public const string NginxStorm = "nginx, storm bytes";
    public const double RatioTarget = 2.0;

    public static bool Print(TextWriter output, StormResults r)
    {
        var o = r.Options;
        output.WriteLine(I($"Storm.Bench ({ServiceProcess.Configuration}): {o.Monitors:N0} http monitors ({o.Components} components x {o.MonitorsPerComponent}, every {o.IntervalSeconds} s, down after {o.FailureThreshold} failures) on one probe; wrk {o.Connections} connections x {o.Threads} thread per endpoint, {(o.Rate > 0 ? I($"at most {o.Rate:N0} requests/s") : "unpaced")} per endpoint, {o.Paths.Count} endpoints at once; {r.Machine}, {r.NginxVersion}"));
        output.WriteLine(I($"load average {r.LoadAtStart} at the start, {r.LoadAtEnd} at the end (shared machine: compare runs with a similar load only)"));
        output.WriteLine();
        output.WriteLine("window                          endpoint                      seconds  requests/s   p50 ms   p99 ms   max ms  errors     bytes");
        foreach (var window in new[] { Quiet, StormBefore, StormChanging, Recovery, NginxQuiet, NginxStorm })
        {
            foreach (var endpoint in o.Paths)
            {
                if (r.Find(window, endpoint) is not { } w)
                {
                    output.WriteLine(I($"{window,-31} {endpoint,-28} (not run)"));
                    continue;
                }
                var set = window is NginxQuiet or Quiet or StormBefore ? "quiet" : "storm";
                var size = window is Recovery ? "" : r.BodyBytes.TryGetValue($"{set}:{endpoint}", out var b) ? I($"{b:N0}") : "";
                output.WriteLine(I($"{window,-31} {endpoint,-28} {w.Seconds,7:0.0} {w.RequestsPerSecond,11:N0} {w.P50Ms,8:0.00} {w.P99Ms,8:0.00} {w.MaxMs,8:0.0} {w.Errors,7} {size,9}"));
            }
        }
        output.WriteLine();
        output.WriteLine(I($"storm p99 (the larger segment's) / quiet p99, target <= {RatioTarget:0}x and no errors:"));
        foreach (var endpoint in o.Paths)
        {
            var quiet = r.Find(Quiet, endpoint);
            var ratio = r.StormRatio(endpoint);
            output.WriteLine(I($"  {endpoint,-28} {Ms(r.StormP99(endpoint))} / {Ms(quiet?.P99Ms)} = {X(ratio)}   errors storm {r.StormErrors(endpoint)}, quiet {quiet?.Errors}   {(r.Met(endpoint) ? "met" : "NOT met")}"));
        }
        output.WriteLine("recovery p99 / quiet p99 (no target):");
        foreach (var endpoint in o.Paths)
            output.WriteLine(I($"  {endpoint,-28} {X(r.Find(Recovery, endpoint)?.P99Ms / r.Find(Quiet, endpoint)?.P99Ms)}"));
        output.WriteLine("StatusApi p99 / nginx p99 serving the same bytes (no target here; StatusApi.Bench has one):");
        foreach (var endpoint in o.Paths)
        {
            output.WriteLine(I($"  {endpoint,-28} quiet {X(r.Find(Quiet, endpoint)?.P99Ms / r.Find(NginxQuiet, endpoint)?.P99Ms)}, storm {X(r.StormP99(endpoint) / r.Find(NginxStorm, endpoint)?.P99Ms)}"));
        }
        output.WriteLine();

        var s = r.Storm;
        var expected = o.IntervalSeconds * o.FailureThreshold;
        output.WriteLine(I($"storm: every target failing from 0 s; on the page: first component not operational {S(s.FirstChange.At)}, all {o.Components} in a major outage {S(s.AllDown.At)}, all on an unresolved incident {S(s.AllOnIncidents.At)}"));
        output.WriteLine(I($"       failure to the page showing it all: {S(s.ShownAt)} (the probe needs up to interval x threshold = {expected} s to see {o.FailureThreshold} failures of every monitor){(s.Complete ? "" : I($"; NOT reached within {o.LimitSeconds} s"))}"));
        var a = r.AfterStorm;
        output.WriteLine(I($"       incidents opened: {a.Incidents} (components on them: {a.IncidentComponents}, updates: {a.IncidentUpdates}); MonitorWentDown events: {a.WentDown:N0} of {o.Monitors:N0}"));
        var v = r.Recovery;
        var f = r.AfterRecovery;
        output.WriteLine(I($"recovery: every target up from 0 s; on the page: all operational {S(v.AllOperational.At)}, no unresolved incident {S(v.NoIncidents.At)}{(v.Complete ? "" : I($"; NOT reached within {o.LimitSeconds} s"))}"));
        output.WriteLine(I($"       incidents resolved: {f.Resolved} of {f.Incidents}; MonitorRecovered events: {f.Recovered:N0} of {o.Monitors:N0}"));
        output.WriteLine(I($"messages waiting in the run's queues (management API) at the end of the storm: {Queues(r.StormBacklog)}; of the recovery: {Queues(r.RecoveryBacklog)}"));
        var polls = r.Polls.Milliseconds.Order().ToList();
        output.WriteLine(I($"page reads by the bench (every {PageWatch.PollInterval.TotalMilliseconds:0} ms, under the load): {polls.Count}, failed {r.Polls.Failed}, took p50 {Ms(Percentile(polls, 0.5))}, max {Ms(polls.LastOrDefault())}: the milestones above are late by up to that plus one interval"));
        output.WriteLine();
        output.WriteLine("cores used (CPU seconds / wall seconds)   quiet   storm  recovery");
        foreach (var name in r.CpuNames)
        {
            string C(string window) => r.Cores.TryGetValue(window, out var c) && c.TryGetValue(name, out var v) ? I($"{v:0.00}") : "n/a";
            output.WriteLine(I($"  {name,-38} {C(Quiet),6} {C("storm"),7} {C(Recovery),9}"));
        }
        output.WriteLine(I($"peak RSS: {string.Join(", ", r.PeakRssBytes.Select(p => I($"{p.Key} {p.Value / 1048576.0:0} MB")))}"));
        output.WriteLine();
        output.WriteLine(r.AllMet ? "target met" : "target NOT met");
        return r.AllMet;
    }

    public static async Task WriteJsonAsync(string path, StormResults r, CancellationToken ct)
    {
        var json = new JsonObject
        {
            ["bench"] = "Storm.Bench",
            ["finishedAt"] = r.FinishedAt,
            ["machine"] = r.Machine,
            ["loadAverageStart"] = r.LoadAtStart,
            ["loadAverageEnd"] = r.LoadAtEnd,
            ["options"] = JsonSerializer.SerializeToNode(r.Options),
            ["windows"] = new JsonArray([.. r.Windows.Select(w => (JsonNode)new JsonObject
            {
                ["window"] = w.Window,
                ["endpoint"] = w.Endpoint,
                ["seconds"] = w.Seconds,
                ["requests"] = w.Requests,
                ["requestsPerSecond"] = w.RequestsPerSecond,
                ["p50Ms"] = w.P50Ms,
                ["p99Ms"] = w.P99Ms,
                ["maxMs"] = w.MaxMs,
                ["errors"] = w.Errors,
            })]),
            ["endpoints"] = new JsonArray([.. r.Options.Paths.Select(e => (JsonNode)new JsonObject
            {
                ["endpoint"] = e,
                ["quietP99Ms"] = r.Find(Quiet, e)?.P99Ms,
                ["stormP99Ms"] = r.StormP99(e),
                ["recoveryP99Ms"] = r.Find(Recovery, e)?.P99Ms,
                ["nginxQuietP99Ms"] = r.Find(NginxQuiet, e)?.P99Ms,
                ["nginxStormP99Ms"] = r.Find(NginxStorm, e)?.P99Ms,
                ["stormErrors"] = r.StormErrors(e),
                ["quietErrors"] = r.Find(Quiet, e)?.Errors,
                ["ratio"] = Finite(r.StormRatio(e)),
                ["ratioTarget"] = RatioTarget,
                ["met"] = r.Met(e),
            })]),
            ["bodyBytes"] = JsonSerializer.SerializeToNode(r.BodyBytes),
            ["storm"] = new JsonObject
            {
                ["firstChangeSeconds"] = r.Storm.FirstChange.At,
                ["allDownSeconds"] = r.Storm.AllDown.At,
                ["allOnIncidentsSeconds"] = r.Storm.AllOnIncidents.At,
                ["shownSeconds"] = r.Storm.ShownAt,
                ["windowSeconds"] = r.StormSeconds,
                ["incidentsOpened"] = r.AfterStorm.Incidents,
                ["incidentComponents"] = r.AfterStorm.IncidentComponents,
                ["incidentUpdates"] = r.AfterStorm.IncidentUpdates,
                ["monitorWentDown"] = r.AfterStorm.WentDown,
            },
            ["recovery"] = new JsonObject
            {
                ["allOperationalSeconds"] = r.Recovery.AllOperational.At,
                ["noIncidentsSeconds"] = r.Recovery.NoIncidents.At,
                ["windowSeconds"] = r.RecoverySeconds,
                ["incidentsResolved"] = r.AfterRecovery.Resolved,
                ["monitorRecovered"] = r.AfterRecovery.Recovered,
            },
            ["pageReads"] = r.Polls.Milliseconds.Count,
            ["pageReadsFailed"] = r.Polls.Failed,
            ["peakRssBytes"] = JsonSerializer.SerializeToNode(r.PeakRssBytes),
            ["cores"] = JsonSerializer.SerializeToNode(r.Cores),
            ["stormBacklog"] = JsonSerializer.SerializeToNode(r.StormBacklog),
            ["recoveryBacklog"] = JsonSerializer.SerializeToNode(r.RecoveryBacklog),
            ["met"] = r.AllMet,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);
    }

    private static string Queues(IReadOnlyDictionary<string, long> backlog) =>
        backlog.Count == 0 ? "none" : string.Join(", ", backlog.OrderByDescending(q => q.Value).Select(q => I($"{q.Key} {q.Value:N0}")));

    private static double? Percentile(List<double> sorted, double q) => sorted.Count == 0 ? null : sorted[(int)Math.Round(q * (sorted.Count - 1))];

    private static JsonValue? Finite(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static string Ms(double? ms) => ms is { } v && double.IsFinite(v) ? I($"{v:0.00} ms") : "n/a";

    private static string S(double? seconds) => seconds is { } v ? I($"{v:0.0} s") : "never";

    private static string X(double? ratio) => ratio is { } v && double.IsFinite(v) ? I($"{v:0.00}x") : "n/a";

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace StatusPlatform.Storm.Bench;

/// <summary>What wrk measured in one window on one endpoint. Latencies in milliseconds.</summary>
internal sealed record WindowResult(string Window, string Endpoint, double Seconds, long Requests, double P50Ms, double P99Ms, double MaxMs,
    long SocketErrors, long Non2xx)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    public long Errors => SocketErrors + Non2xx;
}

/// <summary>
/// wrk with <c>--latency</c> against one URL for a window whose end is not known in advance (the storm lasts until the
/// page shows it): it runs with a duration far beyond any window and is stopped with SIGINT, on which wrk stops its
/// connections and reports as at the end of its duration. A Lua <c>done</c> hook prints the figures as one JSON line, so
/// nothing depends on wrk's human-readable units.
/// </summary>
internal sealed class WrkLoad : IAsyncDisposable
{
    private const string Script = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format('{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
            e.connect, e.read, e.write, e.status, e.timeout))
        end
        """;

    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;
    private readonly string _endpoint;

    private WrkLoad(Process process, string endpoint)
    {
        (_process, _endpoint) = (process, endpoint);
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    /// <summary>
    /// Writes the Lua hooks into <paramref name="directory"/>; the path goes to <see cref="Start"/>. With a rate, each
    /// connection waits connections / rate seconds after each response before its next request (wrk's <c>delay</c> hook;
    /// the wait is not part of the latency), so an endpoint gets at most that many requests a second and the machine keeps
    /// headroom for the storm; without one every connection sends again as soon as its response is in.
    /// </summary>
    public static string WriteScript(string directory, int connections, int ratePerEndpoint)
    {
        var path = Path.Combine(directory, "report.lua");
        var pace = ratePerEndpoint > 0
            ? string.Create(CultureInfo.InvariantCulture, $"delay = function() return {Math.Max(1, (int)Math.Round(connections * 1000.0 / ratePerEndpoint))} end\n")
            : "";
        File.WriteAllText(path, pace + Script);
        return path;
    }

    public static WrkLoad Start(string script, Uri uri, string endpoint, int connections, int threads)
    {
        var start = new ProcessStartInfo("wrk",
            ["-t", Invariant(threads), "-c", Invariant(connections), "-d", "3600s", "--latency", "-s", script, uri.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new WrkLoad(Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk."), endpoint);
    }

    /// <summary>Starts one wrk per endpoint at once and stops them together after <paramref name="seconds"/>.</summary>
    public static async Task<List<WindowResult>> RunAsync(string window, string script, IReadOnlyList<(string Endpoint, Uri Uri)> targets,
        int connections, int threads, int seconds, CancellationToken ct)
    {
        var loads = targets.Select(t => Start(script, t.Uri, t.Endpoint, connections, threads)).ToList();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
            return await StopAllAsync(window, loads);
        }
        finally
        {
            foreach (var load in loads)
                await load.DisposeAsync();
        }
    }

    public static async Task<List<WindowResult>> StopAllAsync(string window, IReadOnlyList<WrkLoad> loads)
    {
        foreach (var load in loads)
            load.Interrupt();
        var results = new List<WindowResult>();
        foreach (var load in loads)
            results.Add(await load.ResultAsync(window));
        return results;
    }

    private void Interrupt()
    {
        if (_process.HasExited)
            return;
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", Invariant(_process.Id)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private async Task<WindowResult> ResultAsync(string window)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(patience.Token);
        var output = await _output;
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"wrk ({_endpoint}) exited with {_process.ExitCode} without its report: {await _error}\n{output}");
        using var json = JsonDocument.Parse(line);
        var r = json.RootElement;
        long L(string name) => r.GetProperty(name).GetInt64();
        return new WindowResult(window, _endpoint, L("duration_us") / 1e6, L("requests"), L("p50_us") / 1000.0, L("p99_us") / 1000.0, L("max_us") / 1000.0,
            L("connect") + L("read") + L("write") + L("timeout"), L("status"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

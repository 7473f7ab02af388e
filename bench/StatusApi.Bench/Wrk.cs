using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace StatusPlatform.StatusApi.Bench;

/// <summary>One wrk run: requests per second, the 99th percentile latency, and anything that went wrong.</summary>
internal sealed record WrkResult(string Server, int Connections, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Non2xx);

internal static partial class Wrk
{
    /// <summary>Runs wrk with <c>--latency</c> against <paramref name="uri"/> and parses its report.</summary>
    public static async Task<WrkResult> RunAsync(string server, Uri uri, int connections, int threads, int seconds, CancellationToken ct)
    {
        var start = new ProcessStartInfo("wrk",
            ["-t", Invariant(threads), "-c", Invariant(connections), "-d", $"{Invariant(seconds)}s", "--latency", uri.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var report = await output;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await error}\n{report}");

        var rate = Number(RequestsPerSecond().Match(report), report);
        var p50 = Milliseconds(Percentile50().Match(report), report);
        var p99 = Milliseconds(Percentile99().Match(report), report);
        var errors = SocketErrors().Match(report) is { Success: true } e
            ? e.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        var non2xx = Non2xx().Match(report) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(server, connections, rate, p50, p99, errors, non2xx);
    }

    private static double Number(Match match, string report) => match.Success
        ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"Unexpected wrk report:\n{report}");

    /// <summary>wrk prints latencies as 850.00us, 1.23ms or 1.05s.</summary>
    private static double Milliseconds(Match match, string report) => Number(match, report) * match.Groups[2].Value switch
    {
        "us" => 0.001,
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        var unit => throw new InvalidOperationException($"Unknown wrk latency unit '{unit}' in:\n{report}"),
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+50%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile50();

    [GeneratedRegex(@"^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentile99();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}

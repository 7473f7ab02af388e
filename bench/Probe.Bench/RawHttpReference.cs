using System.Diagnostics;

namespace StatusPlatform.Probe.Bench;

/// <summary>What a tight loop of plain HttpClient requests achieves against the same nginx: the machine's own rate.</summary>
internal sealed record ReferenceResult(double RequestsPerSecond, double CpuMsPerRequest);

internal static class RawHttpReference
{
    /// <summary>
    /// <paramref name="concurrency"/> loops, each sending the next GET as soon as the last one's body is read, for
    /// <paramref name="duration"/>. A fresh connection per request, as the probe makes them (it never reuses one), so
    /// both pay for the same TCP handshake; the CPU is this process's over the loop, per request.
    /// </summary>
    public static async Task<ReferenceResult> RunAsync(NginxTarget nginx, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseCookies = false };
        using var client = new HttpClient(handler);
        var url = nginx.Url("/ref");
        using (var warm = await client.GetAsync(url, ct))
            warm.EnsureSuccessStatusCode();

        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var count = 0L;
            while (clock.Elapsed < duration)
            {
                using var response = await client.GetAsync(url, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                response.EnsureSuccessStatusCode();
                count++;
            }
            return count;
        }));
        var elapsed = clock.Elapsed;
        self.Refresh();
        var total = counts.Sum();
        return new ReferenceResult(total / elapsed.TotalSeconds, (self.TotalProcessorTime - cpuBefore).TotalMilliseconds / total);
    }
}

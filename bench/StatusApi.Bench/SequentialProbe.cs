using System.Diagnostics;

namespace StatusPlatform.StatusApi.Bench;

/// <summary>Latency percentiles in milliseconds of a set of single requests.</summary>
internal sealed record Latencies(int Count, double P50, double P99, double Max)
{
    public static Latencies Of(IReadOnlyCollection<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
            return new Latencies(0, double.NaN, double.NaN, double.NaN);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Latencies(sorted.Length, Rank(0.50), Rank(0.99), sorted[^1]);
    }
}

/// <summary>
/// Requests around changes: <see cref="FirstRequest"/> is the first request a little after each change (the serving
/// path right after a change, the figure with a target); <see cref="FirstToSee"/> is the first request of a tight
/// polling loop that got the new page, and <see cref="Visible"/> how long after the change that was.
/// </summary>
internal sealed record ChangeResult(Latencies FirstRequest, int Late, Latencies FirstToSee, Latencies Visible);

/// <summary>
/// Requests one at a time over one kept-alive connection, so each latency is one request's own: the steady latency of
/// a server, and the latency of the first request that gets a page changed a moment ago.
/// </summary>
internal sealed class SequentialProbe(Uri uri) : IDisposable
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Long enough for a change to be delivered and applied (it takes milliseconds), short next to a cache lifetime.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(250);

    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseCookies = false });

    public async Task<Latencies> SteadyAsync(int samples, CancellationToken ct)
    {
        for (var i = 0; i < Math.Min(samples, 200); i++)
            await GetAsync(ct); // warm the connection and both ends' code paths
        var latencies = new double[samples];
        for (var i = 0; i < samples; i++)
            latencies[i] = (await GetAsync(ct)).Milliseconds;
        return Latencies.Of(latencies);
    }

    /// <summary>
    /// One request after each of <paramref name="count"/> pauses of <see cref="Quiet"/> with no change: the reference for
    /// the first request after a change, which also comes after a pause (an idle connection and idle threads wake up slower).
    /// </summary>
    public async Task<Latencies> AfterPausesAsync(int count, CancellationToken ct)
    {
        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(Quiet, ct);
            latencies[i] = (await GetAsync(ct)).Milliseconds;
        }
        return Latencies.Of(latencies);
    }

    /// <summary>
    /// Two passes of <paramref name="changes"/> changes each (a row and its event, <see cref="BenchPage.ChangeAsync"/>),
    /// after one unmeasured change that warms the event path. First pass: wait <see cref="Quiet"/>, then one request,
    /// which must get the new page; a server that rebuilt its response on the first request after a change would show
    /// it here. A change not visible by then counts as late and is polled for. Second pass: request in a tight loop
    /// until the ETag differs; that request is the first to see the change, and it competes for the CPU with the
    /// processing of the change itself (database, broker, refresh).
    /// </summary>
    public async Task<ChangeResult> AroundChangesAsync(BenchPage page, int changes, CancellationToken ct)
    {
        var (_, etag) = await GetAsync(ct);
        (_, etag) = await PollUntilChangedAsync(page, etag, ct);

        var first = new List<double>();
        var late = 0;
        for (var i = 0; i < changes; i++)
        {
            await page.ChangeAsync(ct);
            await Task.Delay(Quiet, ct);
            var (milliseconds, current) = await GetAsync(ct);
            if (current != etag)
            {
                first.Add(milliseconds);
                etag = current;
                continue;
            }
            late++;
            while (current == etag)
                (_, current) = await GetAsync(ct);
            etag = current;
        }

        var firstToSee = new List<double>();
        var visible = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var changed = Stopwatch.StartNew();
            var (milliseconds, current) = await PollUntilChangedAsync(page, etag, ct);
            firstToSee.Add(milliseconds);
            visible.Add(changed.Elapsed.TotalMilliseconds);
            etag = current;
        }
        return new ChangeResult(Latencies.Of(first), late, Latencies.Of(firstToSee), Latencies.Of(visible));
    }

    /// <summary>Makes a change and requests until the ETag differs from <paramref name="etag"/>; returns that request.</summary>
    private async Task<(double Milliseconds, string? ETag)> PollUntilChangedAsync(BenchPage page, string? etag, CancellationToken ct)
    {
        var changed = Stopwatch.StartNew();
        var status = await page.ChangeAsync(ct);
        while (true)
        {
            var response = await GetAsync(ct);
            if (response.ETag != etag)
                return response;
            if (changed.Elapsed > ChangeTimeout)
                throw new TimeoutException($"The change of {BenchPage.ChangingComponent} to {status} did not show within {ChangeTimeout.TotalSeconds} s.");
        }
    }

    private async Task<(double Milliseconds, string? ETag)> GetAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await _client.GetAsync(uri, ct);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(ct);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.Headers.ETag?.Tag);
    }

    public void Dispose() => _client.Dispose();
}

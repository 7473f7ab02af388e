using System.Diagnostics;
using System.Text.Json;

namespace StatusPlatform.Storm.Bench;

/// <summary>What summary.json showed at one poll: each component's status and the unresolved incidents with their components.</summary>
internal sealed record PageView(IReadOnlyDictionary<string, string> Components, IReadOnlyList<(string Id, IReadOnlySet<string> Components)> Incidents)
{
    public int Count(string status) => Components.Values.Count(s => s == status);

    /// <summary>Components named by at least one unresolved incident.</summary>
    public int OnIncidents => Incidents.SelectMany(i => i.Components).Distinct().Count(Components.ContainsKey);

    public static PageView Parse(JsonElement summary)
    {
        var components = new Dictionary<string, string>();
        foreach (var c in summary.GetProperty("components").EnumerateArray())
        {
            if (!(c.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.True))
                components[c.GetProperty("id").GetString()!] = c.GetProperty("status").GetString()!;
        }
        var incidents = new List<(string, IReadOnlySet<string>)>();
        foreach (var i in summary.GetProperty("incidents").EnumerateArray())
        {
            var ids = i.TryGetProperty("components", out var list)
                ? list.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToHashSet()
                : [];
            incidents.Add((i.GetProperty("id").GetString()!, ids));
        }
        return new PageView(components, incidents);
    }
}

/// <summary>A condition on the page, and when (seconds after the watch started) it first held; null if it never did.</summary>
internal sealed class Milestone(string name, Func<PageView, bool> holds)
{
    public string Name => name;

    public double? At { get; set; }

    public bool Holds(PageView page) => holds(page);
}

/// <summary>
/// Polls StatusApi's summary.json, as a reader of the page would, every <see cref="PollInterval"/> until every milestone has
/// held once or the limit passes. A milestone's time is that of the first poll that saw it, so it is late by up to one
/// poll interval plus the poll's own latency under the load (both printed).
/// </summary>
internal static class PageWatch
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <returns>The last page seen, and the number of polls that failed (a failed poll is a reader that got no page).</returns>
    public static async Task<(PageView? Last, int FailedPolls, List<double> PollMs)> UntilAsync(HttpClient http, Uri summary, Stopwatch clock,
        IReadOnlyList<Milestone> milestones, TimeSpan limit, CancellationToken ct)
    {
        PageView? last = null;
        var failed = 0;
        var pollMs = new List<double>();
        while (clock.Elapsed < limit && milestones.Any(m => m.At is null))
        {
            var started = clock.Elapsed;
            try
            {
                using var response = await http.GetAsync(summary, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
                last = PageView.Parse(json.RootElement);
                var at = clock.Elapsed.TotalSeconds;
                pollMs.Add((clock.Elapsed - started).TotalMilliseconds);
                foreach (var m in milestones.Where(m => m.At is null && m.Holds(last)))
                    m.At = at;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or JsonException or TaskCanceledException)
            {
                failed++;
            }
            var rest = PollInterval - (clock.Elapsed - started);
            if (rest > TimeSpan.Zero)
                await Task.Delay(rest, ct);
        }
        return (last, failed, pollMs);
    }
}

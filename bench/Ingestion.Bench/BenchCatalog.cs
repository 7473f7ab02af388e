using System.Globalization;
using System.Text;
using StatusPlatform.Contracts;

namespace StatusPlatform.Ingestion.Bench;

/// <summary>
/// The run's configuration file (monitors spread over ten components, never probed: the bench publishes their results)
/// and the results themselves: every monitor up, in rounds, each round one interval after the last, as a probe reports.
/// </summary>
internal static class BenchCatalog
{
    public const int IntervalSeconds = 30;
    private const int Components = 10;

    public static string MonitorId(int i) => $"bench-{i:D6}";

    public static string WriteConfigFile(int monitors, string directory)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("page:\n  name: Ingestion bench\n  url: http://127.0.0.1:1\n  time_zone: Etc/UTC\ncomponents:");
        for (var c = 0; c < Components; c++)
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: bench-component-{c}\n    name: Bench component {c}");
        yaml.AppendLine("monitors:");
        for (var i = 0; i < monitors; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: {MonitorId(i)}\n    component: bench-component-{i % Components}\n    kind: http\n    url: http://127.0.0.1:9/{i}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    interval: {IntervalSeconds}s\n    timeout: 5s\n    failure_threshold: 2\n    success_threshold: 1");
        }
        var path = Path.Combine(directory, "ingestion-bench.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    /// <summary>Result <paramref name="index"/> of the stream: monitor index % monitors, in round index / monitors after <paramref name="start"/>.</summary>
    public static CheckCompleted Result(int index, int monitors, DateTimeOffset start)
    {
        var round = index / monitors;
        var startedAt = start.AddSeconds((double)round * IntervalSeconds + index % monitors * (IntervalSeconds / (double)monitors));
        return new CheckCompleted(Guid.NewGuid(), MonitorId(index % monitors), "local", "ingestion-bench", startedAt, 12.5, CheckOutcome.Up, 200, null,
            new CheckTimings(null, 0.4, null, 11.8, 12.5));
    }
}

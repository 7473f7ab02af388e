using System.Globalization;

namespace StatusPlatform.Storm.Bench;

/// <summary>CPU seconds (user + system) used so far, by name: each service, the run's PostgreSQL backends, the whole machine.</summary>
internal sealed record CpuSample(DateTimeOffset At, IReadOnlyDictionary<string, double> Seconds);

/// <summary>
/// Where the CPU goes in each window, from /proc: the three services, the PostgreSQL backends serving the run's database
/// (their process title names it) and every process on the machine (/proc/stat). On a shared machine the rates and
/// latencies move with everyone else's work; CPU seconds say what the storm itself cost, and the machine's total how much
/// of the two cores the rest of the box took meanwhile.
/// </summary>
internal sealed class CpuMeter(IReadOnlyDictionary<string, int> services, string database)
{
    public const string Postgres = "PostgreSQL (run's backends)";
    public const string MachineTotal = "machine, every process";
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public IEnumerable<string> Names => services.Keys.Append(Postgres).Append(MachineTotal);

    public CpuSample Sample()
    {
        var seconds = services.ToDictionary(s => s.Key, s => ProcessSeconds(s.Value));
        seconds[Postgres] = Backends().Sum(ProcessSeconds);
        seconds[MachineTotal] = MachineSeconds();
        return new CpuSample(DateTimeOffset.UtcNow, seconds);
    }

    /// <summary>Cores used on average between two samples (CPU seconds / wall seconds), by name.</summary>
    public static IReadOnlyDictionary<string, double> Cores(CpuSample from, CpuSample to)
    {
        var wall = (to.At - from.At).TotalSeconds;
        return to.Seconds.ToDictionary(s => s.Key, s => wall > 0 ? Math.Max(0, s.Value - from.Seconds.GetValueOrDefault(s.Key)) / wall : 0);
    }

    /// <summary>Backends whose process title names the database ("postgres: 15/main: user database host ..."). One that
    /// exits in a window takes its CPU time with it; the services keep their pooled connections, so few do.</summary>
    private IEnumerable<int> Backends()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
                continue;
            string title;
            try
            {
                title = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (title.StartsWith("postgres:", StringComparison.Ordinal) && title.Contains($" {database} ", StringComparison.Ordinal))
                yield return pid;
        }
    }

    private static double ProcessSeconds(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 14th field, stime the 15th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0; // the process ended between listing and reading
        }
    }

    /// <summary>The first line of /proc/stat: every busy state (user, nice, system, irq, softirq, steal) summed over all cores.</summary>
    private static double MachineSeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / TicksPerSecond;
    }
}

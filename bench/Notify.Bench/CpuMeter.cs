using System.Diagnostics;
using System.Globalization;

namespace StatusPlatform.Notify.Bench;

/// <summary>
/// CPU time (user + system) of Notify.Service, of the PostgreSQL backends serving the run's database and of the bench
/// process (sink and receiver). Unlike rates, CPU seconds per message hardly depend on how busy the machine is, so
/// they say where the time goes even on a loaded box, and what a quiet one could reach.
/// </summary>
internal sealed class CpuMeter(int notifyPid, string database)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public (double Notify, double Postgres, double Bench) Read() =>
        (Seconds(notifyPid), Backends().Sum(Seconds), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);

    /// <summary>Backends whose process title names the database ("postgres: 15/main: user database host ...").</summary>
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
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (title.StartsWith("postgres:", StringComparison.Ordinal) && title.Contains($" {database} ", StringComparison.Ordinal))
                yield return pid;
        }
    }

    private static double Seconds(int pid)
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
}

using System.Diagnostics;

namespace StatusPlatform.AppHost;

internal static class Signals
{
    /// <summary>Sends SIGTERM so the service's host shuts down gracefully (Process.Kill only sends SIGKILL).</summary>
    public static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
            return;
        }
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }
}

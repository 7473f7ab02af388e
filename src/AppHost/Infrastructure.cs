using System.Diagnostics;

namespace StatusPlatform.AppHost;

/// <summary>PostgreSQL, RabbitMQ and MailDev through the repository's own script, and the settings it prints.</summary>
public static class Infrastructure
{
    public static async Task<Dictionary<string, string>> UpAsync(bool external, CancellationToken ct)
    {
        if (!external)
            await RunScriptAsync("up", ct);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (await RunScriptAsync("env", ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Lines look like: export Name='value'
            var assignment = line.StartsWith("export ", StringComparison.Ordinal) ? line[7..] : line;
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
                env[assignment[..equals]] = assignment[(equals + 1)..].Trim('\'', '"');
        }
        return env;
    }

    private static async Task<string> RunScriptAsync(string command, CancellationToken ct)
    {
        var script = Path.Combine(ServiceProject.RepositoryRoot, "scripts", "infra.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, command]) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start bash.");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"scripts/infra.sh {command} failed with exit code {process.ExitCode}.");
    }
}

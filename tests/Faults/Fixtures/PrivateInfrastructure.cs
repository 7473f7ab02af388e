using System.Diagnostics;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// Starts the private broker and database of fault-infra.sh for the tests that stop them, and removes them at the end.
/// A stop is always followed by a start in a finally block, so a failing test leaves both running for the next one.
/// </summary>
public sealed class PrivateInfrastructure : IAsyncLifetime
{
    private readonly string _script = Path.Combine(AppContext.BaseDirectory, "fault-infra.sh");

    public Infra Infra { get; } = Infra.Private;

    public Task InitializeAsync() => RunAsync("up");

    public Task DisposeAsync() => RunAsync("down");

    /// <summary>Stops the broker, runs <paramref name="whileDown"/>, and starts it again whatever happened meanwhile.</summary>
    public Task WithBrokerDownAsync(Func<Task> whileDown) => WithDownAsync("broker", whileDown);

    /// <summary>Stops PostgreSQL (cutting every session), runs <paramref name="whileDown"/>, and starts it again whatever happened.</summary>
    public Task WithDatabaseDownAsync(Func<Task> whileDown) => WithDownAsync("database", whileDown);

    private async Task WithDownAsync(string what, Func<Task> whileDown)
    {
        try
        {
            await RunAsync($"{what}-stop");
            await whileDown();
        }
        finally
        {
            await RunAsync($"{what}-start"); // waits until it answers again
        }
    }

    private async Task RunAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [_script, command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"fault-infra.sh {command} failed ({process.ExitCode}): {await output}{await error}");
    }
}

[CollectionDefinition(Name)]
public sealed class PrivateInfrastructureCollection : ICollectionFixture<PrivateInfrastructure>
{
    public const string Name = "private infrastructure";
}

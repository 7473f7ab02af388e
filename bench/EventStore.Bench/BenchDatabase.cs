using Npgsql;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>A throwaway database (<c>sp_bench_…</c>) for one run, dropped at the end whatever happened.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private BenchDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, ApplicationName = "EventStore.Bench" };
        DataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<BenchDatabase> CreateAsync(string adminConnectionString, CancellationToken ct)
    {
        var name = $"sp_bench_{Guid.NewGuid():N}"[..24];
        await using (var admin = NpgsqlDataSource.Create(adminConnectionString))
        await using (var command = admin.CreateCommand($"create database {name}"))
            await command.ExecuteNonQueryAsync(ct);
        return new BenchDatabase(adminConnectionString, name);
    }

    /// <summary>The server facts that decide the numbers: version, commit durability, memory.</summary>
    public async Task<ServerFacts> ReadServerFactsAsync(CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(
            "select current_setting('server_version'), current_setting('synchronous_commit'), current_setting('shared_buffers')");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new ServerFacts(Environment.ProcessorCount, reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(_adminConnectionString);
        // A plain DROP ends an autovacuum worker in the database by itself, which FORCE refuses a non-superuser;
        // FORCE ends sessions of our own that were left open. Alternate, with a pause, until one works.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Not the run's token: a cancelled run must still drop its database.
                await using var command = admin.CreateCommand($"drop database if exists {Name}{(attempt % 2 == 0 ? " with (force)" : "")}");
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException) when (attempt < 6)
            {
                if (attempt % 2 == 0)
                    await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"could not drop database {Name}: {e.Message}. Drop it by hand.");
                return;
            }
        }
    }
}

internal sealed record ServerFacts(int ProcessorCount, string PostgresVersion, string SynchronousCommit, string SharedBuffers);

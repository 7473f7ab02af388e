using Npgsql;

namespace StatusPlatform.TestSupport;

/// <summary>A PostgreSQL database of its own for one test class, dropped when the class is done.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = $"sp_test_{Guid.NewGuid():N}"[..24];
        await using (var admin = NpgsqlDataSource.Create(Infrastructure.PostgresConnectionString))
        await using (var command = admin.CreateCommand($"create database {name}"))
            await command.ExecuteNonQueryAsync();
        var builder = new NpgsqlConnectionStringBuilder(Infrastructure.PostgresConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(Infrastructure.PostgresConnectionString);
        await using var command = admin.CreateCommand($"drop database if exists {Name} with (force)");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync();
                return;
            }
            // An autovacuum worker (a superuser process) may be in the database; FORCE may not end it, but it ends soon.
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}

using Npgsql;

namespace StatusPlatform.StatusApi.Console.Users;

/// <summary>
/// Creates the console's tables in schema api (Assets/console-schema.sql) and the bootstrap admin at start-up. Like the
/// admin API's schema it keeps trying in the background, so StatusApi starts and serves the public page while PostgreSQL
/// is away; until it has run, sign-in answers 503.
/// </summary>
public sealed class ConsoleSchema(NpgsqlDataSource dataSource, ConsoleUsers users, ILogger<ConsoleSchema> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    private const string LockSql = "select pg_advisory_xact_lock(hashtext('statusapi.console.schema'))";

    /// <summary>
    /// The tables alone, synchronously: for the data-protection key store, whose first use can come before this service
    /// has run (its interface is synchronous).
    /// </summary>
    public static void CreateTables(NpgsqlDataSource dataSource)
    {
        var sql = ConsoleAssets.ReadText("console-schema.sql");
        using var connection = dataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        using (var lockCommand = new NpgsqlCommand(LockSql, connection, tx))
            lockCommand.ExecuteNonQuery();
        using (var command = new NpgsqlCommand(sql, connection, tx))
            command.ExecuteNonQuery();
        tx.Commit();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sql = await ConsoleAssets.ReadTextAsync("console-schema.sql");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using var tx = await connection.BeginTransactionAsync(stoppingToken);
                // Replicas starting together create the tables and the bootstrap user one at a time.
                await using (var lockCommand = new NpgsqlCommand(LockSql, connection, tx))
                    await lockCommand.ExecuteNonQueryAsync(stoppingToken);
                await using (var command = new NpgsqlCommand(sql, connection, tx))
                    await command.ExecuteNonQueryAsync(stoppingToken);
                await users.EnsureBootstrapAsync(connection, tx, stoppingToken);
                await tx.CommitAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not create the console's tables ({Reason}); sign-in answers 503 until they exist. Retrying in {Delay}",
                    e.Message, RetryEvery);
            }
            await Task.Delay(RetryEvery, stoppingToken);
        }
    }
}

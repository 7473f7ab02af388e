using Npgsql;

namespace StatusPlatform.StatusApi.AdminApi.Keys;

/// <summary>
/// Creates the api schema (keys, postmortem drafts) at start-up. StatusApi must start and serve the public page while
/// PostgreSQL is down, so this keeps trying in the background instead of failing start-up; until it has run, admin
/// requests answer 503 (the tables are missing, which reads as the database being unavailable).
/// </summary>
public sealed class ApiSchema(NpgsqlDataSource dataSource, ILogger<ApiSchema> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sql = await ReadAsync("api-schema.sql");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CreateAsync(sql, stoppingToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not create the api schema ({Reason}); the admin API answers 503 until it exists. Retrying in {Delay}",
                    e.Message, RetryEvery);
            }
            await Task.Delay(RetryEvery, stoppingToken);
        }
    }

    private async Task CreateAsync(string sql, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Several replicas may start together; DDL runs under one lock, released at commit.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('statusapi.api.schema'))", connection, tx))
            await lockCommand.ExecuteNonQueryAsync(ct);
        await using (var command = new NpgsqlCommand(sql, connection, tx))
            await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<string> ReadAsync(string resource)
    {
        await using var stream = typeof(ApiSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}

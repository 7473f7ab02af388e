using Npgsql;

namespace StatusPlatform.Incident.Storage;

/// <summary>Creates the read model (status) and check (checks) schemas at start-up, before projections and consumers run.</summary>
public sealed class IncidentSchema(NpgsqlDataSource dataSource) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Several instances may start together; DDL runs under one lock, released at commit.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('incident.schema'))", connection, tx))
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        foreach (var resource in new[] { "status-schema.sql", "checks-schema.sql" })
        {
            await using var command = new NpgsqlCommand(await ReadAsync(resource), connection, tx);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<string> ReadAsync(string resource)
    {
        await using var stream = typeof(IncidentSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}

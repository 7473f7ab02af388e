using Npgsql;

namespace StatusPlatform.Incident.Storage;

/// <summary>One statement with named parameters in a projection's transaction; an NpgsqlParameter value keeps its own type (jsonb).</summary>
internal static class ProjectionSql
{
    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, (string Name, object Value)[] parameters,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            if (value is NpgsqlParameter p)
            {
                p.ParameterName = name;
                command.Parameters.Add(p);
            }
            else
            {
                command.Parameters.AddWithValue(name, value);
            }
        }
        await command.ExecuteNonQueryAsync(ct);
    }
}

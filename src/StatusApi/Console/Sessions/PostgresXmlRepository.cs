using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console.Sessions;

/// <summary>
/// Keeps ASP.NET Core's data-protection key ring in api.console_data_protection_keys instead of the process's file system,
/// so every StatusApi replica, and a restarted one, reads the same keys and accepts each other's session and antiforgery
/// cookies. The framework caches the ring and refreshes it on its own (and at once for a payload with an unknown key),
/// so this is read rarely. IXmlRepository is synchronous by contract.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    private const string Table = "api.console_data_protection_keys";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        return WithTable(() =>
        {
            using var command = dataSource.CreateCommand($"select xml from {Table} order by id");
            using var reader = command.ExecuteReader();
            var elements = new List<XElement>();
            while (reader.Read())
                elements.Add(XElement.Parse(reader.GetString(0)));
            return elements;
        });
    }

    public void StoreElement(XElement element, string friendlyName) => WithTable(() =>
    {
        using var command = dataSource.CreateCommand($"insert into {Table} (friendly_name, xml) values ($1, $2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = friendlyName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = element.ToString(SaveOptions.DisableFormatting) });
        return command.ExecuteNonQuery();
    });

    // The first request of a fresh database can come before ConsoleSchema has created the table in the background.
    private T WithTable<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            ConsoleSchema.CreateTables(dataSource);
            return action();
        }
    }
}

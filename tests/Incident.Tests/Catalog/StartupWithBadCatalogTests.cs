using Microsoft.AspNetCore.Mvc.Testing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Catalog;

public sealed class StartupWithBadCatalogTests
{
    [Fact]
    public async Task A_monitor_naming_a_missing_component_stops_start_up_with_file_line_and_field()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sp-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, IncidentServiceWithCatalog.Yaml.Replace("component: db", "component: dbx", StringComparison.Ordinal));
        await using var database = await TestDatabase.CreateAsync();
        await using var vhost = await TestVirtualHost.CreateAsync();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:statusdb", database.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", vhost.AmqpUri.ToString())
            .UseSetting("StatusPlatform:ConfigFile", file));
        try
        {
            var error = Assert.Throws<CatalogFileException>(() => factory.Server);

            Assert.Equal((file, "monitors[1].component"), (error.File, error.Field));
            Assert.Contains("'dbx' names no component", error.Message);
            await using var command = database.DataSource.CreateCommand("select count(*) from events.events");
            Assert.Equal(0L, await command.ExecuteScalarAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>CSV import and export over the bus (the admin commands StatusApi will pass through).</summary>
public sealed class CsvImportExportTests
{
    [Fact]
    public async Task Imported_subscribers_are_exported_with_their_choices_and_a_bad_line_imports_nothing()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"imported-{Guid.NewGuid():N}@example.com";
        var csv = $"channel,address,components,locale\nemail,{address},api;website,de\nwebhook,https://hooks.example.com/x,,en\n";

        var imported = await given.Service.AskOkAsync<ImportSubscribers, SubscribersImported>(new ImportSubscribers(csv, Confirmed: true));
        var exported = await given.Service.AskOkAsync<ExportSubscribers, SubscribersCsv>(new ExportSubscribers());

        Assert.Equal((2, 0), (imported.Created, imported.Updated));
        Assert.Equal(5, exported.Count); // and the three from the configuration file
        var lines = exported.Csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("channel,address,scope,components,incident,locale,confirmed,quarantined_at", lines[0]);
        Assert.Contains($"email,{address},components,api;website,,de,true,", lines);
        Assert.Contains("webhook,https://hooks.example.com/x,page,,,en,true,", lines);

        var rejected = Assert.IsType<CommandRejected>(await given.Service.AskAsync<ImportSubscribers, SubscribersImported>(
            new ImportSubscribers($"channel,address\nemail,new-{Guid.NewGuid():N}@example.com\nemail,broken\n")));
        Assert.Equal(["line 3"], rejected.Errors.Keys);
        Assert.Equal(5, (await given.Service.AskOkAsync<ExportSubscribers, SubscribersCsv>(new ExportSubscribers())).Count);
    }
}

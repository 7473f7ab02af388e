using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Page;

/// <summary>The page settings and branding written over the bus, projected into status.page, and no longer the file's.</summary>
public sealed class PageCommandsTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private Task<string?> Column(string column) => service.ScalarAsync<string>($"select {column} from status.page");

    [Fact]
    public async Task Branding_reaches_status_page_and_a_reapplied_file_no_longer_changes_the_page()
    {
        await Eventually.Until(async () => await Column("name") == "Test Status", Wait, "the file's page to be projected");
        var version = await service.ScalarAsync<long>("select version from status.page");

        Assert.IsType<CommandConflict>(await service.CommandAsync(new UpdatePageSettings("alice", Name: "Ours", ExpectedVersion: version + 1)));
        var rejected = Assert.IsType<CommandRejected>(await service.CommandAsync(new UpdatePageSettings("alice", TimeZone: "Nowhere/Land", AccentColor: "blue",
            CustomCss: "a { } </style>")));
        Assert.Equal(["accent_color", "custom_css", "time_zone"], rejected.Errors.Keys.Order(StringComparer.Ordinal));
        var accepted = Assert.IsType<CommandAccepted>(await service.CommandAsync(new UpdatePageSettings("alice", Name: "Acme Status", TimeZone: "Europe/Berlin",
            LogoUrl: "https://cdn.test/logo.svg", AccentColor: "#663399", AccentColorDark: "#C9F", CustomCss: ".banner { border-radius: 0; }", ExpectedVersion: version)));

        await Eventually.Until(async () => await Column("name") == "Acme Status", Wait, "the new settings on the page");
        Assert.Equal(("Europe/Berlin", "https://cdn.test/logo.svg", "#663399", "#c9f", ".banner { border-radius: 0; }", "http://status.test"),
            (await Column("time_zone"), await Column("logo_url"), await Column("accent_color"), await Column("accent_color_dark"), await Column("custom_css"), await Column("url")));
        Assert.Equal(accepted.Version, await service.ScalarAsync<long>("select version from status.page"));
        Assert.Equal("alice", await service.ScalarAsync<string>("select metadata->>'actor' from events.events where stream_id = 'page' order by version desc limit 1"));

        // A restart applies the file again: its page section (name "Test Status") is skipped now.
        await service.Services.GetRequiredService<CatalogApplier>().ApplyAsync(CatalogFile.Parse(IncidentServiceWithCatalog.Yaml, "test.yaml"), CancellationToken.None);
        Assert.Equal(accepted.Version, (await service.ScalarAsync<long>("select max(version) from events.events where stream_id = 'page'")));

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new UpdatePageSettings("bob", LogoUrl: "", CustomCss: "")));
        await Eventually.Until(async () => await Column("logo_url") is null && await Column("custom_css") is null, Wait, "the cleared branding");
        Assert.Equal("#663399", await Column("accent_color"));
    }
}

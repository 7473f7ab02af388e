using StatusPlatform.Incident.Catalog;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Catalog;

public sealed class CatalogFileTests
{
    private const string Valid = """
        page:
          name: Acme Status
          url: https://status.acme.test
          time_zone: America/Tijuana
        groups:
          - id: backend
            name: Backend
        components:
          - id: web
            name: Website
            owner: web@acme.test
          - id: api
            name: API
            group: backend
            automation: false
        monitors:
          - id: web-http
            component: web
            url: https://acme.test/
            interval: 30s
            timeout: 2500ms
            failure_threshold: 3
            expected_status: [200, 204]
        """;

    [Fact]
    public void A_valid_file_yields_page_components_with_positions_per_parent_and_monitors()
    {
        var catalog = CatalogFile.Parse(Valid, "acme.yaml");

        Assert.Equal(("statusplatform", "Acme Status", "America/Tijuana"), (catalog.Page.PageId, catalog.Page.Name, catalog.Page.TimeZone));
        Assert.Equal(["backend", "web", "api"], catalog.Components.Select(c => c.Id));
        var (_, web) = catalog.Components[1];
        var (_, api) = catalog.Components[2];
        Assert.Equal((2, null, true, "web@acme.test"), (web.Position, web.GroupId, web.Automation, web.Owner));
        Assert.Equal((1, "backend", false), (api.Position, api.GroupId, api.Automation));
        Assert.True(catalog.Components[0].Settings.IsGroup);
        var (id, monitor) = Assert.Single(catalog.Monitors);
        Assert.Equal(("web-http", "web", 30, 3, 3, 1), (id, monitor.ComponentId, monitor.IntervalSeconds, monitor.TimeoutSeconds, monitor.FailureThreshold, monitor.SuccessThreshold));
        Assert.Equal([200, 204], monitor.ExpectedStatusCodes);
    }

    [Fact]
    public void A_monitor_naming_an_unknown_component_is_reported_with_file_line_and_field()
    {
        var yaml = Valid.Replace("component: web", "component: shop", StringComparison.Ordinal);

        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(yaml, "acme.yaml"));

        Assert.Equal(("acme.yaml", 18L, "monitors[0].component"), (error.File, error.Line, error.Field));
        Assert.Contains("'shop' names no component", error.Message);
        Assert.StartsWith("acme.yaml:18:", error.Message);
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_line()
    {
        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse("page:\n  name: [unclosed\ncomponents: []\n", "broken.yaml"));
        Assert.Equal("broken.yaml", error.File);
        Assert.True(error.Line >= 2, $"line {error.Line}");
    }

    [Theory]
    [InlineData("interval: 30s", "interval: soon", "monitors[0].interval")]
    [InlineData("timeout: 2500ms", "timeout: 60s", "monitors[0].timeout")]
    [InlineData("url: https://acme.test/", "url: not a url", "monitors[0].url")]
    [InlineData("time_zone: America/Tijuana", "time_zone: Mars/Olympus", "page.time_zone")]
    [InlineData("group: backend", "group: frontend", "components[1].group")]
    [InlineData("- id: api", "- id: web", "components[1].id")]
    [InlineData("failure_threshold: 3", "failure_threshold: 0", "monitors[0].failure_threshold")]
    [InlineData("expected_status: [200, 204]", "expected_status: [200, 999]", "monitors[0].expected_status[1]")]
    public void Invalid_values_name_the_field(string original, string replacement, string field)
    {
        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(Valid.Replace(original, replacement, StringComparison.Ordinal), "acme.yaml"));
        Assert.Equal(field, error.Field);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void A_missing_file_is_reported_by_path()
    {
        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Load("/nonexistent/statusplatform.yaml"));
        Assert.Contains("/nonexistent/statusplatform.yaml", error.Message);
    }

    [Fact]
    public void The_sample_configuration_shipped_with_the_repository_is_valid()
    {
        var sample = Path.Combine(RepositoryPaths.Root, "config", "statusplatform.yaml");
        var catalog = CatalogFile.Load(sample);
        Assert.Contains(catalog.Monitors, m => m.Settings.Target == "http://127.0.0.1:18080/");
    }
}

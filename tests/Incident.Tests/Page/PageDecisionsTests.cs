using System.Text.Json;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Page;

namespace StatusPlatform.Incident.Tests.Page;

/// <summary>Given the page, when UpdatePageSettings, then PageConfigured or field errors; and what the file may still change. No I/O.</summary>
public sealed class PageDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    // What the event store serializes events with (EventStoreOptions.Json).
    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);
    private static readonly PageSettings FromFile = new("acme", "Acme Status", "https://status.acme.test", "Etc/UTC");
    private static readonly StatusPage FilePage = StatusPage.Create(new PageConfigured(FromFile, Now.AddDays(-1)));

    [Fact]
    public void A_command_changes_what_it_names_and_the_page_becomes_the_admin_apis()
    {
        var (errors, configured) = PageDecisions.Update(FilePage, new UpdatePageSettings("alice", Name: " Acme ", TimeZone: "Europe/Berlin",
            LogoUrl: "/logo.svg", AccentColor: "#0B5CAD", AccentColorDark: "#fff", CustomCss: ".banner { border: 0 }"), Now);

        Assert.Empty(errors);
        Assert.Equal(new PageSettings("acme", "Acme", "https://status.acme.test", "Europe/Berlin", "/logo.svg", "#0b5cad", "#fff", ".banner { border: 0 }"),
            configured!.Settings);
        Assert.Equal(StatusPage.Api, configured.ManagedBy);

        var page = FilePage.Apply(configured);
        Assert.Null(PageDecisions.Update(page, new UpdatePageSettings("alice", Name: "Acme"), Now).Event); // nothing to change
        var cleared = PageDecisions.Update(page, new UpdatePageSettings("alice", LogoUrl: "", CustomCss: ""), Now).Event!.Settings;
        Assert.Equal((null, null, "#0b5cad"), (cleared.LogoUrl, cleared.CustomCss, cleared.AccentColor));
    }

    [Fact]
    public void Bad_values_are_refused_field_by_field()
    {
        var (errors, configured) = PageDecisions.Update(FilePage, new UpdatePageSettings(" ", Name: "", Url: "status.acme.test", TimeZone: "Mars/Olympus",
            LogoUrl: "//evil.test/x.png", AccentColor: "red", AccentColorDark: "#12345", CustomCss: "</style><script>"), Now);

        Assert.Null(configured);
        Assert.Equal(["accent_color", "accent_color_dark", "actor", "custom_css", "logo_url", "name", "time_zone", "url"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("'Mars/Olympus' is not a known IANA time zone", errors["time_zone"][0]);
        Assert.Equal("must not contain '<'", errors["custom_css"][0]);
        Assert.Contains("logo_url", PageDecisions.Update(FilePage, new UpdatePageSettings("a", LogoUrl: "javascript:alert(1)"), Now).Errors.Keys);
    }

    [Fact]
    public void Without_a_page_yet_the_command_creates_it_and_needs_a_name_and_url()
    {
        Assert.Equal(["name", "url"], PageDecisions.Update(null, new UpdatePageSettings("alice"), Now).Errors.Keys.Order(StringComparer.Ordinal));

        var created = PageDecisions.Update(null, new UpdatePageSettings("alice", "Status", "https://status.example.test"), Now).Event!;

        Assert.Equal(new PageSettings("statusplatform", "Status", "https://status.example.test", "Etc/UTC"), created.Settings);
    }

    [Fact]
    public void The_file_applies_until_the_page_is_managed_through_the_api()
    {
        var changedFile = FromFile with { Name = "Acme Status Page" };
        Assert.Equal([new PageConfigured(changedFile, Now)], StatusPage.Decide(FilePage, changedFile, Now));
        Assert.Empty(StatusPage.Decide(FilePage, FromFile, Now));

        var apiPage = FilePage.Apply(PageDecisions.Update(FilePage, new UpdatePageSettings("alice", Name: "Ours"), Now).Event!);

        Assert.Empty(StatusPage.Decide(apiPage, changedFile, Now));
    }

    [Fact]
    public void An_event_written_before_branding_existed_reads_back_unchanged_and_file_managed()
    {
        const string before = """{"settings":{"pageId":"acme","name":"Acme Status","url":"https://status.acme.test","timeZone":"Etc/UTC"},"configuredAt":"2026-01-01T00:00:00Z"}""";

        var configured = JsonSerializer.Deserialize<PageConfigured>(before, EventJson)!;

        Assert.Equal(FromFile, configured.Settings);
        Assert.Equal(StatusPage.File, StatusPage.Create(configured).ManagedBy);
    }
}

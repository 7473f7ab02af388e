using System.Text.RegularExpressions;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

/// <summary>Its own fixture: it changes the read model.</summary>
public sealed class ChangingPage : PageWithOutage;

public sealed partial class LiveEventsTests(ChangingPage page) : IClassFixture<ChangingPage>
{
    [Fact]
    public async Task The_stream_names_the_rendered_version_first_and_a_new_one_when_an_incident_appears()
    {
        var before = await page.GetHtmlAsync("/");
        var renderedVersion = Version().Match(before).Groups[1].Value;

        using var stream = await page.Client.GetStreamAsync(new Uri("/events", UriKind.Relative));
        using var reader = new StreamReader(stream);
        var first = await NextChangedAsync(reader);
        Assert.Equal(renderedVersion, first);

        await page.ExecuteAsync("""
            insert into status.incidents (id, name, status, impact, created_at, updated_at, started_at)
            values ('inc-live', 'Logins failing', 'investigating', 'critical', now(), now(), now())
            """);
        await page.ExecuteAsync("""
            insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at)
            values ('upd-live', 'inc-live', 'investigating', 'Nobody can *log in*.', now(), now(), now())
            """);
        await page.RefreshAsync();

        var next = await NextChangedAsync(reader);
        Assert.NotEqual(first, next);
        var after = await page.GetHtmlAsync("/");
        Assert.NotEqual(renderedVersion, Version().Match(after).Groups[1].Value);
        Assert.Contains("Logins failing", after);
        Assert.Contains("Nobody can <em>log in</em>.", after);
        Assert.Matches("class=\"banner indicator-critical\"", after);
    }

    private static async Task<string> NextChangedAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var isChanged = false;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "event: changed")
                isChanged = true;
            else if (isChanged && line.StartsWith("data: ", StringComparison.Ordinal))
                return line["data: ".Length..];
        }
        throw new InvalidOperationException("The event stream ended.");
    }

    [GeneratedRegex("<body data-version=\"([^\"]+)\">")]
    private static partial Regex Version();
}

/// <summary>Its own fixture: it drops the database.</summary>
public sealed class PageLosingItsDatabase : PageWithOutage;

public sealed class StalePageTests(PageLosingItsDatabase page) : IClassFixture<PageLosingItsDatabase>
{
    [Fact]
    public async Task Without_the_database_the_page_is_still_served_and_says_it_may_be_out_of_date()
    {
        await using (var admin = Npgsql.NpgsqlDataSource.Create(TestSupport.Infrastructure.PostgresConnectionString))
        await using (var drop = admin.CreateCommand($"drop database {page.Database.Name} with (force)"))
            await drop.ExecuteNonQueryAsync();
        await page.RefreshAsync();

        var html = await page.GetHtmlAsync("/");
        Assert.Contains("<p class=\"stale\" role=\"alert\">This page could not be refreshed since", html);
        Assert.Contains(">API errors</a></h3>", html);
        // Incidents in memory still have their pages; the history needs the database and says so.
        Assert.Contains("<h1 id=\"incident-title\">API errors</h1>", await page.GetHtmlAsync("/incidents/inc-open"));
        using var history = await page.Client.GetAsync(new Uri("/history", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, history.StatusCode);
    }
}

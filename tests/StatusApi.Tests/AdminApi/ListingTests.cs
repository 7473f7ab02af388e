using System.Net;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Lists: Statuspage's page/per_page (default 100), newest first, with X-Total-Count and Link headers.</summary>
public sealed class ListingTests(AdminApiWithSevenIncidents host) : IClassFixture<AdminApiWithSevenIncidents>
{
    private const string Incidents = $"/api/v1/pages/{PageId}/incidents";

    private async Task<(HttpResponseMessage Response, string[] Names)> GetAsync(string path)
    {
        var response = await host.Admin.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = (await JsonAsync(response)).EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();
        return (response, names);
    }

    [Fact]
    public async Task Without_parameters_the_first_100_come_newest_first()
    {
        var (response, names) = await GetAsync(Incidents);

        Assert.Equal(["Incident 7", "Incident 6", "Incident 5", "Incident 4", "Incident 3", "Incident 2", "Incident 1"], names);
        Assert.Equal("7", Assert.Single(response.Headers.GetValues("X-Total-Count")));
        response.Dispose();
    }

    [Fact]
    public async Task Page_and_per_page_select_a_slice_and_the_link_header_points_around_it()
    {
        var (middle, middleNames) = await GetAsync($"{Incidents}?page=2&per_page=3");
        var (last, lastNames) = await GetAsync($"{Incidents}.json?page=3&per_page=3");
        var (beyond, beyondNames) = await GetAsync($"{Incidents}?page=4&per_page=3");

        Assert.Equal(["Incident 4", "Incident 3", "Incident 2"], middleNames);
        Assert.Equal(["Incident 1"], lastNames);
        Assert.Empty(beyondNames);
        var link = Assert.Single(middle.Headers.GetValues("Link"));
        Assert.Contains($"<{Incidents}?page=1&per_page=3>; rel=\"first\"", link, StringComparison.Ordinal);
        Assert.Contains($"<{Incidents}?page=1&per_page=3>; rel=\"prev\"", link, StringComparison.Ordinal);
        Assert.Contains($"<{Incidents}?page=3&per_page=3>; rel=\"next\"", link, StringComparison.Ordinal);
        Assert.Contains($"<{Incidents}?page=3&per_page=3>; rel=\"last\"", link, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", Assert.Single(last.Headers.GetValues("Link")), StringComparison.Ordinal);
        Assert.Equal("7", Assert.Single(beyond.Headers.GetValues("X-Total-Count")));
        middle.Dispose();
        last.Dispose();
        beyond.Dispose();
    }

    [Fact]
    public async Task Q_searches_update_bodies_and_limit_is_per_page()
    {
        var (searched, names) = await GetAsync($"{Incidents}?q=disk");
        var (limited, limitedNames) = await GetAsync($"{Incidents}?limit=2");

        Assert.Equal(["Incident 4"], names);
        Assert.Equal(["Incident 7", "Incident 6"], limitedNames);
        searched.Dispose();
        limited.Dispose();
    }

    [Theory]
    [InlineData("per_page=101", "per_page")]
    [InlineData("per_page=0", "per_page")]
    [InlineData("page=0", "page")]
    [InlineData("page=two", "page")]
    public async Task Out_of_range_paging_is_a_field_error(string query, string field)
    {
        using var response = await host.Admin.GetAsync(new Uri($"{Incidents}?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Components_list_in_page_order_and_one_reads_by_id()
    {
        var (response, names) = await GetAsync($"/api/v1/pages/{PageId}/components?per_page=1&page=2");
        using var one = await host.Admin.GetAsync(new Uri($"/api/v1/pages/{PageId}/components/website", UriKind.Relative));

        Assert.Equal(["API"], names);
        Assert.Equal("2", Assert.Single(response.Headers.GetValues("X-Total-Count")));
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var website = await JsonAsync(one);
        Assert.Equal(("website", PageId, "operational"), (website.GetProperty("id").GetString(), website.GetProperty("page_id").GetString(), website.GetProperty("status").GetString()));
        response.Dispose();
    }
}

using System.Net;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

public sealed class HttpBehaviourTests(PageWithGroupAndOpenIncident page) : IClassFixture<PageWithGroupAndOpenIncident>
{
    public static TheoryData<string> Endpoints =>
        new("/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
            "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
            "/api/v2/scheduled-maintenances/active.json");

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Head_answers_200_with_the_headers_of_get_and_no_body(string path)
    {
        using var get = await page.Client.GetAsync(new Uri(path, UriKind.Relative));
        using var head = await page.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/json; charset=utf-8", get.Content.Headers.ContentType?.ToString());
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        var getLength = (await get.Content.ReadAsByteArrayAsync()).Length;
        Assert.True(getLength > 0);
        Assert.Equal(getLength, get.Content.Headers.ContentLength);
        Assert.Equal(getLength, head.Content.Headers.ContentLength);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_cross_origin_get_is_allowed_from_any_origin(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://widget.elsewhere.example");

        using var response = await page.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task A_browser_preflight_for_get_is_allowed_from_any_origin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v2/summary.json");
        request.Headers.Add("Origin", "https://widget.elsewhere.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "cache-control");

        using var response = await page.Client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {(int)response.StatusCode}");
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("GET", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")));
    }

    [Theory]
    [InlineData("/api/v2/nothing.json")]
    [InlineData("/api/v2/incidents/nothing.json")]
    [InlineData("/api/v2/")]
    public async Task An_unknown_v2_path_answers_404_with_an_empty_body(string path)
    {
        using var response = await page.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}

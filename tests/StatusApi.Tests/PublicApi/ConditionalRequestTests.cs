using System.Net;
using System.Net.Http.Headers;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>ETag, If-None-Match and Cache-Control on every v2 endpoint.</summary>
public sealed class ConditionalRequestTests(PageWithGroupAndOpenIncident page) : IClassFixture<PageWithGroupAndOpenIncident>
{
    public static TheoryData<string> Endpoints => new(
        "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json");

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_sends_a_strong_etag_and_a_five_second_public_cache_lifetime(string path)
    {
        using var response = await page.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var etag = Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag);
        Assert.False(etag.IsWeak);
        Assert.Matches("^\"[0-9a-f]{32}\"$", etag.Tag);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.CacheControl?.MaxAge);
        Assert.False(response.Headers.Contains("X-Status-Stale"));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task The_current_etag_in_if_none_match_gets_304_with_no_body_and_the_same_headers(string path)
    {
        var etag = await ETagAsync(path);

        using var response = await SendAsync(HttpMethod.Get, path, etag.ToString());

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, response.Headers.ETag);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.CacheControl?.MaxAge);
    }

    [Fact]
    public async Task Head_with_the_current_etag_gets_304_too()
    {
        var etag = await ETagAsync("/api/v2/components.json");

        using var response = await SendAsync(HttpMethod.Head, "/api/v2/components.json", etag.ToString());

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Theory]
    [InlineData("W/{0}")]
    [InlineData("\"0123\", {0}")]
    [InlineData("*")]
    public async Task A_weak_form_a_list_naming_the_etag_or_a_star_also_match(string format)
    {
        var etag = await ETagAsync("/api/v2/summary.json");

        using var response = await SendAsync(HttpMethod.Get, "/api/v2/summary.json", string.Format(null, format, etag.Tag));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Another_etag_gets_the_whole_body()
    {
        using var plain = await page.Client.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));

        using var response = await SendAsync(HttpMethod.Get, "/api/v2/summary.json", "\"00000000000000000000000000000000\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_same_content_keeps_its_etag_and_different_bodies_have_different_ones()
    {
        var first = await ETagAsync("/api/v2/summary.json");
        var again = await ETagAsync("/api/v2/summary.json");
        var status = await ETagAsync("/api/v2/status.json");

        Assert.Equal(first, again);
        Assert.NotEqual(first, status);
    }

    [Fact]
    public async Task A_cross_origin_reader_may_read_the_etag_and_the_stale_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/summary.json");
        request.Headers.Add("Origin", "https://widget.elsewhere.example");

        using var response = await page.Client.SendAsync(request);

        var exposed = string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers")).Split(',').Select(h => h.Trim());
        Assert.Contains("ETag", exposed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("X-Status-Stale", exposed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("X-Status-Refreshed-At", exposed, StringComparer.OrdinalIgnoreCase);
    }

    private async Task<EntityTagHeaderValue> ETagAsync(string path)
    {
        using var response = await page.Client.GetAsync(new Uri(path, UriKind.Relative));
        return Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(method, path);
        Assert.True(request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));
        return page.Client.SendAsync(request);
    }
}

using System.Net;
using StatusPlatform.AppHost;

namespace StatusPlatform.EndToEnd;

public sealed class DemoTargetTests
{
    [Fact]
    public async Task The_demo_target_is_switched_off_and_on_over_http_as_the_sample_config_documents()
    {
        await using var target = await DemoTarget.StartAsync();
        using var http = new HttpClient { BaseAddress = target.Url };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("api/health", UriKind.Relative))).StatusCode);
        (await http.PostAsync(new Uri("_demo/down", UriKind.Relative), null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("api/health", UriKind.Relative))).StatusCode);
        (await http.PostAsync(new Uri("_demo/up", UriKind.Relative), null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("", UriKind.Relative))).StatusCode);
    }
}

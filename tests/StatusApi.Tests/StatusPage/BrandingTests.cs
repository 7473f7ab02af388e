namespace StatusPlatform.StatusApi.Tests.StatusPage;

public sealed class BrandingTests(BrandedPage page) : IClassFixture<BrandedPage>
{
    [Fact]
    public async Task The_logo_colours_and_custom_css_come_from_configuration()
    {
        var html = await page.GetHtmlAsync("/");
        Assert.Contains("<img src=\"https://cdn.example.test/logo.svg\" alt=\"Example Status\"", html);

        using var response = await page.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("img-src 'self' data: https://cdn.example.test;", response.Headers.GetValues("Content-Security-Policy").Single());

        var theme = await page.Client.GetStringAsync(new Uri("/status-page/theme.css", UriKind.Relative));
        Assert.Contains(":root { --accent: #663399; }", theme);
        Assert.Contains(".banner { border-radius: 0; }", theme);
    }
}

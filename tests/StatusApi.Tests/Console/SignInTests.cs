using System.Net;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.Console;

/// <summary>Sign-in, sessions, lockout, CSRF and roles of the console.</summary>
public sealed class SignInTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task The_console_asks_for_sign_in_and_the_bootstrap_admin_gets_a_secure_session_cookie()
    {
        using var browser = host.Browser();
        var (before, _) = await browser.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
        Assert.StartsWith("https://localhost/console/sign-in", before.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var signIn = await browser.PostFormAsync("/console/sign-in", "/console/sign-in",
            new() { ["username"] = ConsoleHost.AdminName.ToUpperInvariant(), ["password"] = ConsoleHost.AdminPassword });

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sp_console=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("secure", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/console", cookie, StringComparison.Ordinal);
        var (dashboard, html) = await browser.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("root-admin (admin)", html, StringComparison.Ordinal);
        Assert.Equal("no-store", dashboard.Headers.CacheControl?.ToString());
        Assert.Contains("frame-ancestors 'none'", dashboard.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        // Stored as a slow salted hash, never as the password.
        Assert.True(await host.ScalarAsync<int>("select password_iterations from api.console_users where username = $1", ConsoleHost.AdminName) >= 600_000);
        Assert.Equal(32, await host.ScalarAsync<int>("select length(password_hash) from api.console_users where username = $1", ConsoleHost.AdminName));
        Assert.Equal(0L, await host.ScalarAsync<long>(
            "select count(*) from api.console_users where position(convert_to($1, 'UTF8') in password_hash) > 0", ConsoleHost.AdminPassword));
    }

    [Fact]
    public async Task A_wrong_password_answers_401_and_starts_no_session()
    {
        using var browser = host.Browser();
        using var response = await browser.PostFormAsync("/console/sign-in", "/console/sign-in",
            new() { ["username"] = ConsoleHost.AdminName, ["password"] = "not the password" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("name or password is wrong", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("sp_console=", StringComparison.Ordinal)));
        var (dashboard, _) = await browser.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
    }

    [Fact]
    public async Task After_three_wrong_passwords_even_the_right_one_is_refused_until_the_lockout_ends()
    {
        (await host.UserAsync("carol", "responder", "carol's real password")).Dispose();
        using var browser = host.Browser();
        for (var i = 0; i < 3; i++)
            await browser.SignInAsync("carol", $"guess number {i}", HttpStatusCode.Unauthorized);

        await browser.SignInAsync("carol", "carol's real password", HttpStatusCode.Unauthorized);

        var until = await host.ScalarAsync<DateTime>("select locked_until from api.console_users where username = 'carol'");
        Assert.InRange(until, DateTime.UtcNow.AddSeconds(30), DateTime.UtcNow.AddMinutes(1.5));
        // The lockout over, the right password works again and clears the count.
        await host.ScalarAsync<int>("update api.console_users set locked_until = now() - interval '1 second' where username = 'carol' returning 1");
        await browser.SignInAsync("carol", "carol's real password", HttpStatusCode.Redirect);
        Assert.Equal(0, await host.ScalarAsync<int>("select failed_attempts from api.console_users where username = 'carol'"));
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_answers_400_and_sends_nothing()
    {
        using var admin = await host.AdminAsync();
        var before = host.IncidentService.Commands.Count;

        using var post = await admin.PostFormAsync("/console/incidents/new", "/console/incidents",
            new() { ["name"] = "Forged", ["status"] = "investigating", ["body"] = "x", ["action"] = "post" }, withToken: false);
        using var signIn = await host.Browser().PostFormAsync("/console/sign-in", "/console/sign-in",
            new() { ["username"] = ConsoleHost.AdminName, ["password"] = ConsoleHost.AdminPassword }, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Contains("could not be verified", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.Equal(before, host.IncidentService.Commands.Count);
    }

    [Fact]
    public async Task A_viewer_sees_the_dashboard_but_cannot_post_an_incident()
    {
        using var viewer = await host.UserAsync("vera", "viewer");
        var (dashboard, html) = await viewer.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.DoesNotContain("/console/incidents/new", html, StringComparison.Ordinal);
        var (form, _) = await viewer.GetAsync("/console/incidents/new");

        // A valid token from a page the viewer may see: only the role stops this.
        using var post = await viewer.PostFormAsync("/console", "/console/incidents",
            new() { ["name"] = "Viewer's incident", ["status"] = "investigating", ["body"] = "x", ["action"] = "post" });

        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.DoesNotContain(host.IncidentService.Commands.OfType<CreateIncident>(), c => c.Name == "Viewer's incident");
    }

    [Fact]
    public async Task Signing_out_or_being_disabled_ends_the_session()
    {
        using var dora = await host.UserAsync("dora", "responder");
        using var admin = await host.AdminAsync();
        using var signOut = await admin.PostFormAsync("/console", "/console/sign-out", []);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.GetAsync("/console")).Response.StatusCode);

        using var again = await host.AdminAsync();
        var id = await host.ScalarAsync<string>("select id from api.console_users where username = 'dora'");
        using var disable = await again.PostFormAsync("/console/users", $"/console/users/{id}/disable", []);
        Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await dora.GetAsync("/console")).Response.StatusCode);
        await dora.SignInAsync("dora", "a long enough password", HttpStatusCode.Unauthorized);
    }
}

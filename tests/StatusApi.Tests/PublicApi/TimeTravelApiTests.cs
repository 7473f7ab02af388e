using System.Net;
using System.Text.Json;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>
/// /api/v2/history/at.json and changes.json pass Incident.Service's answer on. Incident.Service's side (the fold over the
/// events) has its own tests; here a stand-in answers GetPageAt and GetChanges on the bus, so this is a contract test.
/// </summary>
public sealed class TimeTravelApiTests(EmptyReadModel host) : IClassFixture<EmptyReadModel>, IAsyncLifetime
{
    private static readonly DateTimeOffset T = new(2026, 11, 20, 14, 5, 0, TimeSpan.Zero);
    private readonly List<object> _asked = [];
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(host.VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"history-stand-in-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.Handler<GetPageAt>(async context =>
                {
                    _asked.Add(context.Message);
                    await context.RespondAsync(new PageAt(context.Message.At, "major", "Partial System Outage",
                        [new ComponentAt("api", "API", "partial_outage", null, false, 1)],
                        [new IncidentAt("inc1", "API errors", "investigating", "major", [new AffectedComponent("api", "API", "partial_outage")], T.AddMinutes(-5))]));
                });
                endpoint.Handler<GetChanges>(context => context.Message.To <= context.Message.From
                    ? context.RespondAsync(new HistoryRequestRejected("to must be after from"))
                    : context.RespondAsync(new Changes(context.Message.From, context.Message.To,
                        [new Contracts.PageChange(T, PageChangeKind.IncidentOpened, "inc1", "API errors", null, "investigating", "Looking into it")], false)));
            });
        });
        await _bus.StartAsync();
    }

    public Task DisposeAsync() => _bus.StopAsync();

    [Fact]
    public async Task The_page_at_a_moment_comes_from_incident_service()
    {
        using var response = await host.Client.GetAsync(new Uri("/api/v2/history/at.json?at=2026-11-20T15:05:00%2B01:00", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(T, Assert.IsType<GetPageAt>(Assert.Single(_asked)).At);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("major", body.RootElement.GetProperty("status").GetProperty("indicator").GetString());
        Assert.Equal("partial_outage", body.RootElement.GetProperty("components")[0].GetProperty("status").GetString());
        Assert.Equal("inc1", body.RootElement.GetProperty("incidents")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Changes_between_two_moments_and_bad_ranges()
    {
        using var ok = await host.Client.GetAsync(new Uri("/api/v2/history/changes.json?from=2026-11-20T14:00:00Z&to=2026-11-20T15:00:00Z", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var body = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        Assert.Equal("incident_opened", body.RootElement.GetProperty("changes")[0].GetProperty("kind").GetString());

        using var reversed = await host.Client.GetAsync(new Uri("/api/v2/history/changes.json?from=2026-11-20T15:00:00Z&to=2026-11-20T14:00:00Z", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        using var missing = await host.Client.GetAsync(new Uri("/api/v2/history/at.json?at=yesterday", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}

using System.Net;
using StatusPlatform.Contracts;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Maintenance and templates through the admin API: the command sent, the answer mapped, and who may do it.</summary>
public sealed class MaintenanceApiTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Maintenances = $"/api/v1/pages/{PageId}/maintenances";

    [Fact]
    public async Task A_responder_schedules_updates_and_cancels_a_maintenance_with_versions()
    {
        var (_, responder) = await host.CreateKeyAsync("oncall-maint", "responder");

        using var created = await host.As(responder).SendAsync(Request(HttpMethod.Post, Maintenances, json: """
            {"maintenance": {"name": "DB upgrade", "body": "PostgreSQL 17", "scheduled_for": "2030-01-01T02:00:00Z", "scheduled_until": "2030-01-01T04:00:00Z",
             "component_ids": ["db"], "reminder_minutes_before": [60, 1440]}}
            """));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await JsonAsync(created)).GetProperty("id").GetString()!;
        var sent = host.IncidentService.Last<ScheduleMaintenance>();
        Assert.Equal(("oncall-maint", "DB upgrade", new DateTimeOffset(2030, 1, 1, 2, 0, 0, TimeSpan.Zero), true), (sent.Actor, sent.Name, sent.ScheduledFor, sent.AutoTransition));
        Assert.Equal([60, 1440], sent.ReminderMinutesBefore!);

        using var stale = await host.As(responder).SendAsync(Request(HttpMethod.Patch, $"{Maintenances}/{id}", ifMatch: "\"v7\"",
            json: """{"maintenance": {"status": "in_progress", "body": "Starting"}}"""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        using var updated = await host.As(responder).SendAsync(Request(HttpMethod.Patch, $"{Maintenances}/{id}", ifMatch: created.Headers.ETag!.Tag,
            json: """{"maintenance": {"status": "in_progress", "body": "Starting"}}"""));
        Assert.Equal(HttpStatusCode.Accepted, updated.StatusCode);
        Assert.Equal("\"v2\"", updated.Headers.ETag?.Tag);
        Assert.Equal((id, "in_progress", 1L), (host.IncidentService.Last<PostMaintenanceUpdate>().MaintenanceId, host.IncidentService.Last<PostMaintenanceUpdate>().Status,
            host.IncidentService.Last<PostMaintenanceUpdate>().ExpectedVersion!.Value));

        using var cancelled = await host.As(responder).SendAsync(Request(HttpMethod.Delete, $"{Maintenances}/{id}"));
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        using var missing = await host.As(responder).SendAsync(Request(HttpMethod.Delete, $"{Maintenances}/nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Bad_windows_are_refused_under_the_body_path_and_viewers_may_not_write()
    {
        using var noTimes = await host.Admin.SendAsync(Request(HttpMethod.Post, Maintenances, json: """{"maintenance": {"name": "x"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, noTimes.StatusCode);
        var errors = (await JsonAsync(noTimes)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("maintenance.scheduled_for", out _));

        using var backwards = await host.Admin.SendAsync(Request(HttpMethod.Post, Maintenances, json: """
            {"maintenance": {"name": "x", "scheduled_for": "2030-01-01T04:00:00Z", "scheduled_until": "2030-01-01T02:00:00Z"}}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.True((await JsonAsync(backwards)).GetProperty("errors").TryGetProperty("maintenance.scheduled_until", out _));

        var (_, viewer) = await host.CreateKeyAsync("reader-maint", "viewer");
        using var forbidden = await host.As(viewer).SendAsync(Request(HttpMethod.Post, Maintenances, json: """{"maintenance": {"name": "x"}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var (_, responder) = await host.CreateKeyAsync("oncall-tpl", "responder");
        using var templates = await host.As(responder).SendAsync(Request(HttpMethod.Post, $"/api/v1/pages/{PageId}/incident_templates",
            json: """{"template": {"name": "n", "title": "t", "body": "b"}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, templates.StatusCode);

        using var template = await host.Admin.SendAsync(Request(HttpMethod.Post, $"/api/v1/pages/{PageId}/incident_templates",
            json: """{"template": {"name": "Outage", "title": "{component} is down", "body": "We are investigating."}}"""));
        Assert.Equal(HttpStatusCode.Accepted, template.StatusCode);
        Assert.Equal("{component} is down", host.IncidentService.Last<SaveIncidentTemplate>().Title);
    }
}

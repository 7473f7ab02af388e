using StatusPlatform.Contracts;
using StatusPlatform.Notify.Incidents;

namespace StatusPlatform.Notify.Tests.Incidents;

/// <summary>Rendering of incident emails: no I/O.</summary>
public sealed class IncidentEmailTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 13, 5, 0, TimeSpan.FromHours(1));

    [Fact]
    public void The_subject_names_the_status_the_components_and_the_incident()
    {
        var email = IncidentEmail.Opened(Opened("Checkout fails", new AffectedComponent("web", "Demo Website", ComponentStatus.MajorOutage),
            new AffectedComponent("api", "Demo API", ComponentStatus.PartialOutage)));

        Assert.Equal("[Investigating] Demo Website, Demo API: Checkout fails", email.Subject);
        Assert.Contains("Opened: 2025-03-04 12:05 UTC", email.Text);
        Assert.Contains("  - Demo API: partial outage", email.Text);
    }

    [Fact]
    public void A_resolved_incident_is_marked_resolved_in_the_subject()
    {
        var email = IncidentEmail.Resolved(new IncidentResolved("i1", "Checkout fails", "Fixed.",
            [new AffectedComponent("web", "Demo Website", ComponentStatus.Operational)], Automatic: true, At));

        Assert.Equal("[Resolved] Demo Website: Checkout fails", email.Subject);
        Assert.Contains("Resolved: 2025-03-04 12:05 UTC", email.Text);
    }

    [Fact]
    public void Many_components_are_summarised_in_the_subject()
    {
        var components = Enumerable.Range(1, 5).Select(i => new AffectedComponent($"c{i}", $"C{i}", ComponentStatus.MajorOutage)).ToArray();

        Assert.Equal("[Investigating] C1, C2, C3 and 2 more: Outage", IncidentEmail.Opened(Opened("Outage", components)).Subject);
    }

    [Fact]
    public void Markup_from_the_event_is_encoded_in_the_html_part()
    {
        var opened = Opened("<script>alert(1)</script>", new AffectedComponent("web", "<b>Web</b>", ComponentStatus.MajorOutage)) with
        {
            Body = "Details: <img src=x onerror=alert(2)> & more",
        };

        var email = IncidentEmail.Opened(opened);

        Assert.DoesNotContain("<script>", email.Html);
        Assert.DoesNotContain("<img", email.Html);
        Assert.DoesNotContain("<b>Web", email.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", email.Html);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt; &amp; more", email.Html);
        Assert.Contains("<img src=x onerror=alert(2)> & more", email.Text);
    }

    [Fact]
    public void Line_breaks_in_event_fields_never_reach_the_subject()
    {
        var email = IncidentEmail.Opened(Opened("Outage\r\nBcc: victim@example.com", new AffectedComponent("web", "Web\nsite", ComponentStatus.MajorOutage)));

        Assert.Equal("[Investigating] Web site: Outage Bcc: victim@example.com", email.Subject);
    }

    private static IncidentOpened Opened(string name, params AffectedComponent[] components) =>
        new("i1", name, IncidentStatus.Investigating, IncidentImpact.Major, "We are looking into it.", components, Automatic: false, At);
}

using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Maintenances;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Page;
using StatusPlatform.Incident.Templates;

namespace StatusPlatform.Incident;

/// <summary>
/// The stable names of every event in the store. An alias, once used, never changes: renaming a record is
/// free, renaming its alias would orphan stored events (use an upcaster and a new schema version instead).
/// </summary>
public static class EventTypes
{
    public static EventTypeRegistry RegisterIncidentEvents(this EventTypeRegistry events) => events
        .Register<PageConfigured>("page_configured")
        .Register<CatalogChanged>("catalog_changed")
        .Register<ComponentDefined>("component_defined")
        .Register<ComponentReconfigured>("component_reconfigured")
        .Register<ComponentRemoved>("component_removed")
        .Register<ComponentStatusChanged>("component_status_changed")
        .Register<ComponentMonitorStatusChanged>("component_monitor_status_changed")
        .Register<ComponentIncidentStatusSet>("component_incident_status_set")
        .Register<ComponentOverrideSet>("component_override_set")
        .Register<ComponentMaintenanceChanged>("component_maintenance_changed")
        .Register<AutomaticIncidentAttached>("automatic_incident_attached")
        .Register<AutomaticIncidentDetached>("automatic_incident_detached")
        .Register<MonitorDefined>("monitor_defined")
        .Register<MonitorReconfigured>("monitor_reconfigured")
        .Register<MonitorRemoved>("monitor_removed")
        .Register<MonitorWentDown>("monitor_went_down")
        .Register<MonitorDegraded>("monitor_degraded")
        .Register<MonitorRecovered>("monitor_recovered")
        .Register<IncidentOpened>("incident_opened")
        .Register<IncidentUpdated>("incident_updated")
        .Register<IncidentResolved>("incident_resolved")
        .Register<IncidentPostmortemPublished>("incident_postmortem_published")
        .Register<MaintenanceScheduled>("maintenance_scheduled")
        .Register<MaintenanceUpdated>("maintenance_updated")
        .Register<MaintenanceCancelled>("maintenance_cancelled")
        .Register<MaintenanceReminderSent>("maintenance_reminder_sent")
        .Register<ServiceWindowDefined>("service_window_defined")
        .Register<ServiceWindowRemoved>("service_window_removed")
        .Register<IncidentTemplateSaved>("incident_template_saved")
        .Register<IncidentTemplateDeleted>("incident_template_deleted")
        .Register<AutomaticIncidentRegistered>("automatic_incident_registered")
        .Register<AutomaticIncidentJoined>("automatic_incident_joined")
        .Register<AutomaticIncidentClosed>("automatic_incident_closed");
}

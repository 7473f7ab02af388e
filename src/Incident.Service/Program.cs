using StatusPlatform.Incident;
using StatusPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIncidentService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

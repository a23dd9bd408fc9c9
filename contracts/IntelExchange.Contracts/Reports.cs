using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntelExchange.Contracts;

/// <summary>An infringement report, v1: what a reporter signs and submits to <c>POST /v1/reports</c>.</summary>
public sealed record InfringementReport
{
    /// <summary>The submitter's own reference for this report (unique per submitter is recommended).</summary>
    [MaxLength(ReportLimits.ExternalId)]
    public required string ExternalId { get; init; }

    /// <summary>The legal basis the report relies on.</summary>
    public required LegalBasis LegalBasis { get; init; }

    /// <summary>What kind of infringing service this is.</summary>
    public required ReportCategory Category { get; init; }

    /// <summary>What the submitter asks the agency to do.</summary>
    public required RequestedAction RequestedAction { get; init; }

    /// <summary>Traffic Light Protocol 2.0 marking.</summary>
    public required TrafficLightProtocol Tlp { get; init; }

    /// <summary>When the submitter observed the infringement.</summary>
    public required DateTimeOffset ObservedAt { get; init; }

    /// <summary>What should be acted on: 1 to 1,000 targets.</summary>
    [Length(1, ReportLimits.MaxTargets)]
    public required IReadOnlyList<ReportTarget> Targets { get; init; }

    /// <summary>Works infringed (by ISRC).</summary>
    [MaxLength(ReportLimits.MaxWorks)]
    public IReadOnlyList<WorkReference>? Works { get; init; }

    /// <summary>Evidence items, each fixed by its SHA-256.</summary>
    [MaxLength(ReportLimits.MaxEvidence)]
    public IReadOnlyList<EvidenceItem>? Evidence { get; init; }

    /// <summary>For live-sports streaming: the event being streamed.</summary>
    public LiveEvent? LiveEvent { get; init; }

    /// <summary>Recipient agencies; defaults to the submitter's default recipients.</summary>
    [Length(1, ReportLimits.MaxRecipients), ItemLength(1, ReportLimits.TenantId)]
    public IReadOnlyList<string>? ShareWith { get; init; }

    /// <summary>Free text for the agency.</summary>
    [MaxLength(ReportLimits.Notes)]
    public string? Notes { get; init; }
}

/// <summary>The legal basis of a report.</summary>
public sealed record LegalBasis
{
    /// <summary>The memorandum of understanding the report is sent under.</summary>
    [MaxLength(ReportLimits.Reference)]
    public required string MouReference { get; init; }

    /// <summary>An existing order the report relies on, if any.</summary>
    [MaxLength(ReportLimits.Reference)]
    public string? OrderReference { get; init; }
}

/// <summary>One thing to act on. Which members apply depends on <see cref="Type"/>.</summary>
public sealed record ReportTarget
{
    /// <summary>The target's kind.</summary>
    public required TargetType Type { get; init; }

    /// <summary>For <c>domain</c>, <c>url</c>, <c>ipv4</c> and <c>ipv6</c>: the value.</summary>
    [MaxLength(ReportLimits.Url)]
    public string? Value { get; init; }

    /// <summary>For <c>mobile_app</c>: the store.</summary>
    public AppStore? Store { get; init; }

    /// <summary>For <c>mobile_app</c>: the store's application id.</summary>
    [MaxLength(ReportLimits.Name)]
    public string? AppId { get; init; }

    /// <summary>For <c>mobile_app</c> and <c>desktop_app</c>: the application's name.</summary>
    [MaxLength(ReportLimits.Name)]
    public string? Name { get; init; }

    /// <summary>For <c>desktop_app</c>: where it is downloaded from.</summary>
    [MaxLength(ReportLimits.Url)]
    public string? DownloadUrl { get; init; }

    /// <summary>For <c>desktop_app</c>: SHA-256 of the installer, hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-fA-F]{64}$")]
    public string? Sha256 { get; init; }
}

/// <summary>A work infringed.</summary>
public sealed record WorkReference
{
    /// <summary>International Standard Recording Code, e.g. <c>PEA012300001</c>.</summary>
    [Length(12, 12), RegularExpression("^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")]
    public required string Isrc { get; init; }

    /// <summary>Title of the work.</summary>
    [MaxLength(ReportLimits.WorkText)]
    public string? Title { get; init; }

    /// <summary>Performing artist.</summary>
    [MaxLength(ReportLimits.WorkText)]
    public string? Artist { get; init; }

    /// <summary>Rights holder.</summary>
    [MaxLength(ReportLimits.WorkText)]
    public string? RightsHolder { get; init; }
}

/// <summary>An evidence item held by the submitter, fixed by its hash.</summary>
public sealed record EvidenceItem
{
    /// <summary>What the evidence is.</summary>
    public required EvidenceKind Kind { get; init; }

    /// <summary>SHA-256 of the evidence file, hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-fA-F]{64}$")]
    public required string Sha256 { get; init; }

    /// <summary>When it was captured.</summary>
    public required DateTimeOffset CapturedAt { get; init; }

    /// <summary>Where the agency can fetch it.</summary>
    [MaxLength(ReportLimits.Url)]
    public string? Uri { get; init; }

    /// <summary>What it shows.</summary>
    [MaxLength(ReportLimits.Description)]
    public string? Description { get; init; }
}

/// <summary>A live event being streamed without authorisation.</summary>
public sealed record LiveEvent
{
    /// <summary>Event name.</summary>
    [MaxLength(ReportLimits.Name)]
    public required string Name { get; init; }

    /// <summary>Competition the event belongs to.</summary>
    [MaxLength(ReportLimits.Name)]
    public string? Competition { get; init; }

    /// <summary>When the event starts.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When the event ends.</summary>
    public required DateTimeOffset EndsAt { get; init; }
}

/// <summary>Kind of infringing service.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReportCategory>))]
public enum ReportCategory
{
    /// <summary>Stream-ripping site.</summary>
    [JsonStringEnumMemberName("stream_ripping")] StreamRipping,
    /// <summary>Live-sports streaming.</summary>
    [JsonStringEnumMemberName("live_sports_streaming")] LiveSportsStreaming,
    /// <summary>Download site.</summary>
    [JsonStringEnumMemberName("download_site")] DownloadSite,
    /// <summary>Peer-to-peer or torrent index.</summary>
    [JsonStringEnumMemberName("p2p_torrent")] P2pTorrent,
    /// <summary>Cyberlocker.</summary>
    [JsonStringEnumMemberName("cyberlocker")] Cyberlocker,
    /// <summary>Illicit IPTV.</summary>
    [JsonStringEnumMemberName("iptv")] Iptv,
    /// <summary>Mobile application.</summary>
    [JsonStringEnumMemberName("mobile_app")] MobileApp,
    /// <summary>Desktop application.</summary>
    [JsonStringEnumMemberName("desktop_app")] DesktopApp,
    /// <summary>Anything else.</summary>
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>What the submitter asks for.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RequestedAction>))]
public enum RequestedAction
{
    /// <summary>Order ISPs to block.</summary>
    [JsonStringEnumMemberName("block")] Block,
    /// <summary>Investigate.</summary>
    [JsonStringEnumMemberName("investigate")] Investigate,
    /// <summary>Monitor.</summary>
    [JsonStringEnumMemberName("monitor")] Monitor,
}

/// <summary>Traffic Light Protocol 2.0.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrafficLightProtocol>))]
public enum TrafficLightProtocol
{
    /// <summary>TLP:CLEAR.</summary>
    [JsonStringEnumMemberName("clear")] Clear,
    /// <summary>TLP:GREEN.</summary>
    [JsonStringEnumMemberName("green")] Green,
    /// <summary>TLP:AMBER.</summary>
    [JsonStringEnumMemberName("amber")] Amber,
    /// <summary>TLP:AMBER+STRICT.</summary>
    [JsonStringEnumMemberName("amber+strict")] AmberStrict,
    /// <summary>TLP:RED.</summary>
    [JsonStringEnumMemberName("red")] Red,
}

/// <summary>Kind of target.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetType>))]
public enum TargetType
{
    /// <summary>A DNS name.</summary>
    [JsonStringEnumMemberName("domain")] Domain,
    /// <summary>An http(s) URL.</summary>
    [JsonStringEnumMemberName("url")] Url,
    /// <summary>A public IPv4 address.</summary>
    [JsonStringEnumMemberName("ipv4")] Ipv4,
    /// <summary>A public IPv6 address.</summary>
    [JsonStringEnumMemberName("ipv6")] Ipv6,
    /// <summary>A mobile application in a store.</summary>
    [JsonStringEnumMemberName("mobile_app")] MobileApp,
    /// <summary>A desktop application.</summary>
    [JsonStringEnumMemberName("desktop_app")] DesktopApp,
}

/// <summary>Mobile application store.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AppStore>))]
public enum AppStore
{
    /// <summary>Google Play.</summary>
    [JsonStringEnumMemberName("google_play")] GooglePlay,
    /// <summary>Apple App Store.</summary>
    [JsonStringEnumMemberName("apple_app_store")] AppleAppStore,
    /// <summary>Huawei AppGallery.</summary>
    [JsonStringEnumMemberName("huawei_appgallery")] HuaweiAppGallery,
    /// <summary>Any other store or site.</summary>
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>Kind of evidence.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EvidenceKind>))]
public enum EvidenceKind
{
    /// <summary>Screenshot.</summary>
    [JsonStringEnumMemberName("screenshot")] Screenshot,
    /// <summary>Screen or stream recording.</summary>
    [JsonStringEnumMemberName("recording")] Recording,
    /// <summary>Saved web page or HTTP archive.</summary>
    [JsonStringEnumMemberName("web_capture")] WebCapture,
    /// <summary>Test download of an infringing file.</summary>
    [JsonStringEnumMemberName("test_download")] TestDownload,
    /// <summary>Network trace.</summary>
    [JsonStringEnumMemberName("network_trace")] NetworkTrace,
    /// <summary>Written statement.</summary>
    [JsonStringEnumMemberName("statement")] Statement,
    /// <summary>Anything else.</summary>
    [JsonStringEnumMemberName("other")] Other,
}

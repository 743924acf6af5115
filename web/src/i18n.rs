//! Every string of the page's own interface, in English and Japanese, in one table.
//!
//! Terminal output is not here: kubectl and minikube print English, as on a real machine. Kubernetes words
//! that learners type or read in kubectl output (Pod, Ready, ClusterIP, phases) stay as they are in both
//! languages. CONTRACT §5: the Japanese page uses these Japanese accessible names, except `Language`.
//! Placeholders `{0}`, `{1}`, … are filled by [`Lang::fmt`].

/// The page's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// The language a tag (`ja-JP`, `en-US`, a stored `ja`) asks for; English unless it is Japanese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// The string `key` with `{0}`, `{1}`, … replaced by `args`.
    pub fn fmt(self, key: Key, args: &[&str]) -> String {
        let mut s = self.t(key).to_string();
        for (i, a) in args.iter().enumerate() {
            s = s.replace(&format!("{{{i}}}"), a);
        }
        s
    }
}

macro_rules! strings {
    ($($key:ident => $en:literal, $ja:literal;)*) => {
        /// A string of the interface.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key,)* }

        /// Every key with its English and Japanese text (read by the tests).
        #[cfg_attr(not(test), allow(dead_code))]
        pub const TABLE: &[(Key, &str, &str)] = &[$((Key::$key, $en, $ja),)*];

        impl Lang {
            /// The text of `key` in this language.
            pub fn t(self, key: Key) -> &'static str {
                match (self, key) {
                    $((Lang::En, Key::$key) => $en, (Lang::Ja, Key::$key) => $ja,)*
                }
            }
        }
    };
}

strings! {
    // Header and page-wide controls.
    Language => "Language", "Language";
    ResetCluster => "Reset cluster", "クラスタをリセット";
    ResetConfirm => "Start a fresh cluster? The commands run so far and their objects are lost.",
        "新しいクラスタで始めますか？これまでのコマンドと作成したオブジェクトは失われます。";
    ResetDone => "kubeground: started a fresh cluster.", "kubeground: 新しいクラスタを開始しました。";
    RestoreFailed => "kubeground: the saved session could not be restored ({0}); started a fresh cluster.",
        "kubeground: 保存されたセッションを復元できませんでした（{0}）。新しいクラスタを開始しました。";
    RestoreCrashed => "kubeground: the saved session stopped the page while it was replayed; started a fresh cluster.",
        "kubeground: 保存されたセッションの再生中にページが停止したため、新しいクラスタを開始しました。";
    Views => "Views", "ビュー";
    Classroom => "Classroom mode", "教室モード";
    ClassroomTitle => "Large type and high contrast, for projectors and the back row",
        "プロジェクターや後ろの席向けに、大きな文字と高いコントラストで表示";
    CrashTitle => "The simulated cluster stopped", "シミュレーションのクラスタが停止しました";
    CrashText => "kubeground hit an internal error: a bug in the playground, not something you did wrong. Your work up to the command below is saved. Reload to go on from there, or start a fresh cluster; the report (seed and commands) helps us fix it.",
        "kubeground で内部エラーが起きました。あなたの操作の誤りではなく、プレイグラウンドの不具合です。下のコマンドの直前までの作業は保存されています。再読み込みでそこから続けるか、新しいクラスタで始めてください。レポート（シードとコマンド）は修正に役立ちます。";
    CrashReport => "Download report", "レポートをダウンロード";
    CrashReload => "Reload", "再読み込み";
    // Sharing and export.
    Share => "Share", "共有";
    ShareTitle => "Copy a link that rebuilds this cluster (its seed and commands) in any browser",
        "このクラスタ（シードとコマンド）をどのブラウザでも再現できるリンクをコピー";
    ShareCopied => "kubeground: a link to this session was copied to the clipboard:",
        "kubeground: このセッションへのリンクをクリップボードにコピーしました：";
    SharedOpened => "kubeground: opened a shared session ({0} commands replayed).",
        "kubeground: 共有されたセッションを開きました（{0} 個のコマンドを再生）。";
    SharedBroken => "kubeground: the share link could not be opened ({0}); kept your own session.",
        "kubeground: 共有リンクを開けませんでした（{0}）。自分のセッションをそのまま使います。";
    DownloadManifests => "Download manifests", "マニフェストをダウンロード";
    ExportSession => "Export session", "セッションを保存";
    ExportSessionTitle => "Save this session (seed and commands) as a file that Import session opens anywhere",
        "このセッション（シードとコマンド）をファイルに保存します。どこでも「セッションを開く」で再現できます";
    ImportSession => "Import session", "セッションを開く";
    ImportConfirm => "Replace the current cluster with the session in this file?",
        "現在のクラスタを、このファイルのセッションで置き換えますか？";
    SessionImported => "kubeground: opened a session file ({0} commands replayed).",
        "kubeground: セッションファイルを開きました（{0} 個のコマンドを再生）。";
    SessionFileBroken => "kubeground: the session file could not be read ({0}); nothing changed.",
        "kubeground: セッションファイルを読めませんでした（{0}）。何も変更していません。";
    DownloadTitle => "Your objects as YAML that kubectl apply -f accepts on a real cluster",
        "作成したオブジェクトを、実際のクラスタで kubectl apply -f できる YAML として保存";
    Downloaded => "kubeground: downloaded {0} objects as {1}.", "kubeground: {0} 個のオブジェクトを {1} として保存しました。";
    NothingToDownload => "kubeground: there are no objects of yours to export yet.",
        "kubeground: エクスポートできる自作のオブジェクトはまだありません。";
    // Tabs (CONTRACT §5).
    TabTopology => "Topology", "トポロジー";
    TabNetwork => "Network", "ネットワーク";
    TabDns => "DNS", "DNS";
    TabStorage => "Storage", "ストレージ";
    TabEvents => "Events", "イベント";
    // Time controls.
    SimulatedTime => "Simulated time", "シミュレーション時間";
    ClockTitle => "Simulated time since the cluster started", "クラスタ起動からのシミュレーション時間";
    Pause => "Pause", "一時停止";
    Play => "Play", "再生";
    Step => "Step", "ステップ";
    StepTitle => "Advance one simulated second", "シミュレーション時間を1秒進める";
    Speed => "Speed", "速度";
    RunUntilIdle => "Run until idle", "落ち着くまで進める";
    TimelineTitle => "Drag back to see the cluster as it was then (replayed from the session's seed and commands)",
        "左へ動かすと、その時点のクラスタを表示します（セッションのシードとコマンドから再生）";
    Rewound => "Showing t = {0} (now t = {1})", "t = {0} を表示中（現在は t = {1}）";
    BackToNow => "Back to now", "現在に戻る";
    ContinueFromHere => "Continue from here", "ここから続ける";
    ContinuedFrom => "kubeground: continued from t = {0}; the {1} later entries of the session were dropped.",
        "kubeground: t = {0} から続けます。それ以降のセッションの {1} 件は破棄しました。";
    RunUntilIdleTitle => "Advance simulated time until nothing changes for 30 s (at most 10 min)",
        "30 秒間なにも変化しなくなるまで（最大 10 分）シミュレーション時間を進める";
    // Terminal.
    Terminal => "Terminal", "ターミナル";
    TerminalOutput => "Terminal output", "ターミナル出力";
    TerminalInput => "Terminal input", "ターミナル入力";
    TerminalPlaceholder => "kubectl get nodes", "kubectl get nodes";
    FollowingHint => "still printing: Ctrl-C stops it (or type the next command)",
        "出力中：Ctrl-C で止まります（次のコマンドを入力しても止まります）";
    HelpText => "kubeground: a simulated Kubernetes v1.34 cluster on minikube
(3 control-plane nodes, 2 workers).
  kubectl …      kubectl; `kubectl` alone lists what is simulated;
                 `kubectl edit` opens the editor
  minikube …     status, node list|add|stop|start|delete,
                 ssh [-n NODE] -- CMD, ip, service NAME --url
  sleep 30s      let simulated time pass (s, m, h)
  echo TEXT      print text
  clear          clear the screen
  help           this text
Keys: Tab completes commands, flags, kinds, names, namespaces and
  nodes (several matches are listed); ↑/↓ walk the history;
  Ctrl-C abandons the line; Ctrl-L clears the screen.
Pasting several lines runs them in turn, heredocs included
  (kubectl apply -f - <<EOF … EOF).",
        "kubeground: minikube 上のシミュレーションされた
Kubernetes v1.34 クラスタ（コントロールプレーン 3 台、ワーカー 2 台）。
  kubectl …      kubectl。`kubectl` だけでシミュレーション
                 されているコマンドの一覧。`kubectl edit` は
                 エディタを開きます
  minikube …     status、node list|add|stop|start|delete、
                 ssh [-n NODE] -- CMD、ip、service NAME --url
  sleep 30s      シミュレーション時間を進める（s、m、h）
  echo TEXT      テキストを表示
  clear          画面を消去
  help           このヘルプ
キー操作：Tab でコマンド、フラグ、種類、名前、名前空間、
  ノードを補完（候補が複数なら一覧表示）。↑/↓ で履歴、
  Ctrl-C で入力行を破棄、Ctrl-L で画面を消去。
複数行を貼り付けると順に実行します（ヒアドキュメントも可：
  kubectl apply -f - <<EOF … EOF）。";
    // The kubectl edit editor.
    Save => "Save", "保存";
    Cancel => "Cancel", "キャンセル";
    ObjectBeingEdited => "Object being edited", "編集中のオブジェクト";
    // Topology.
    ClusterTopology => "Cluster topology", "クラスタのトポロジー";
    TopologyDescription => "{0} nodes: {1} control plane, {2} workers", "ノード {0} 台：コントロールプレーン {1} 台、ワーカー {2} 台";
    ControlPlane => "Control plane", "コントロールプレーン";
    Workers => "Workers", "ワーカー";
    PodsMore => "+{0} more", "ほか {0}";
    NodeIp => "IP {0}", "IP {0}";
    NodePods => "pods {0}", "Pod {0}";
    PodTitle => "{0}: {1} ({2}) IP {3} restarts {4}", "{0}：{1}（{2}）IP {3} 再起動 {4} 回";
    EtcdHealthy => "etcd quorum: {0}/{1} members up", "etcd クォーラム：{1} 台中 {0} 台稼働";
    EtcdLost => "etcd quorum lost: {0}/{1} members up — the API server can neither read nor write",
        "etcd のクォーラム喪失：{1} 台中 {0} 台のみ稼働 — API サーバーは読み書きできません";
    EtcdDown => "No control-plane node runs: nothing answers for the API server",
        "動いているコントロールプレーンのノードがありません：API サーバーは応答しません";
    MachineStopped => "machine stopped", "マシン停止中";
    InspectNode => "Node {0}", "ノード {0}";
    ComponentUp => "running", "稼働中";
    ComponentDown => "not running", "停止";
    Leader => "leader", "リーダー";
    SchedulerQueue => "Scheduler queue ({0} pending)", "スケジューラーのキュー（待機中 {0}）";
    QueueEmpty => "Every pod has a node.", "すべての Pod がノードに割り当て済みです。";
    WaitingForScheduler => "waiting for the scheduler", "スケジューラー待ち";
    Workloads => "Workloads", "ワークロード";
    PodCount => "{0} pods", "Pod {0} 個";
    PodCountOne => "1 pod", "Pod 1 個";
    // The inspector.
    Inspector => "Inspector", "インスペクター";
    CloseInspector => "Close the inspector", "インスペクターを閉じる";
    InspectorViews => "Inspector views", "インスペクターの表示";
    InspectorActions => "Actions", "操作";
    ViewDescribe => "Describe", "Describe";
    ViewYaml => "YAML", "YAML";
    ViewScheduler => "Scheduler", "スケジューラー";
    ObjectGone => "This object no longer exists.", "このオブジェクトはもう存在しません。";
    ActDelete => "Delete", "削除";
    ActStop => "Stop node", "ノードを停止";
    ActStart => "Start node", "ノードを起動";
    ActCordon => "Cordon", "Cordon";
    ActUncordon => "Uncordon", "Uncordon";
    ActDrain => "Drain", "Drain";
    Replicas => "Replicas", "レプリカ数";
    Scale => "Scale", "スケール";
    ControlledBy => "Controlled by {0}", "管理元：{0}";
    ColRejectedBy => "Rejected by", "除外したフィルター";
    ColScores => "Scores", "スコア";
    ColTotal => "Total", "合計";
    // Network and DNS.
    Services => "Services", "Service 一覧";
    ColService => "Service", "Service";
    ColType => "Type", "タイプ";
    ColClusterIp => "ClusterIP", "ClusterIP";
    ColPorts => "Ports", "ポート";
    ColReadyEndpoints => "Ready endpoints", "Ready のエンドポイント";
    NoEndpoints => "none", "なし";
    Requests => "Requests", "リクエスト";
    RequestsHint => "Run a request from a pod (kubectl exec POD -- wget -qO- http://SERVICE) and its path appears here, hop by hop.",
        "Pod からリクエストを送ると（kubectl exec POD -- wget -qO- http://SERVICE）、その経路がここにホップごとに表示されます。";
    StorageGraph => "Pods, claims, volumes and classes", "Pod・クレーム・ボリューム・クラス";
    StorageGraphDescription => "Each pod that mounts a PersistentVolumeClaim, each claim joined to the PersistentVolume it is bound to (or, while Pending, to the StorageClass it waits on), and each volume to its class, with their phases.",
        "PersistentVolumeClaim をマウントする Pod、バインドされた PersistentVolume とつながるクレーム（Pending の間は待っている StorageClass とつながる）、クラスとつながるボリュームを、それぞれのフェーズとともに描きます。";
    Internet => "the internet", "インターネット";
    InternetTitle => "Outside the cluster: the simulated internet (example.com, db.example.com), reached through the host's gateway after Flannel's masquerade gives the packet the node's address.",
        "クラスターの外側: シミュレートされたインターネット（example.com、db.example.com）。Flannel のマスカレードでノードのアドレスに書き換えられ、ホストのゲートウェイを通って届きます。";
    NetworkPicture => "Network picture", "ネットワーク図";
    NetworkPictureDescription => "Each node with its pods, the veth pair joining each pod to the cni0 bridge, kube-proxy's rules, flannel.1 and eth0 on the node network; the chosen request is drawn on it hop by hop.",
        "各ノードとその Pod、Pod と cni0 ブリッジをつなぐ veth ペア、kube-proxy のルール、flannel.1、ノードネットワーク上の eth0。選んだリクエストの経路をホップごとに描きます。";
    NodeNetwork => "node network: eth0 to eth0; flannel.1 wraps pod traffic in VXLAN (UDP 8472) between node addresses",
        "ノードネットワーク（eth0 同士）。flannel.1 は Pod 間の通信を VXLAN（UDP 8472）で包み、ノードのアドレス間で送ります";
    HostNetwork => "host network", "ホストネットワーク";
    PodRange => "pods {0}", "Pod 用 {0}";
    KubeProxyRules => "kube-proxy rules (iptables)", "kube-proxy のルール（iptables）";
    FlannelTitle => "flannel.1: the VXLAN device (VNI 1) that carries pod traffic to other nodes",
        "flannel.1: 他のノードへの Pod の通信を運ぶ VXLAN デバイス（VNI 1）";
    ShowOnPicture => "Show on the picture", "図に表示";
    ReplayHops => "Replay hop by hop", "1 ホップずつ再生";
    PreviousHop => "Previous hop", "前のホップ";
    NextHop => "Next hop", "次のホップ";
    WholePath => "Whole path", "経路全体";
    HopOf => "Hop {0} of {1}: {2}", "ホップ {0}/{1}: {2}";
    WholePathOf => "{0}: {1} hops → {2}", "{0}: {1} ホップ → {2}";
    Lookups => "Lookups", "名前解決";
    TryName => "Try a name", "名前を試す";
    NameToLookUp => "Name to look up", "引く名前";
    FromNamespace => "From namespace", "どの名前空間から";
    LookUp => "Look up", "引く";
    TryNameHint => "Type a name (web, web.prod, web.prod.svc, example.com) to see how a pod's resolver would walk its search list and what CoreDNS answers, without running a pod.",
        "名前（web、web.prod、web.prod.svc、example.com など）を入力すると、Pod を動かさずに、リゾルバーが検索リストをどうたどり CoreDNS が何を答えるかを表示します。";
    LookupsHint => "Look a name up from a pod (kubectl exec POD -- nslookup NAME) and the resolver's walk through its search list appears here.",
        "Pod から名前を引くと（kubectl exec POD -- nslookup NAME）、リゾルバーが検索リストをたどる様子がここに表示されます。";
    // Storage.
    StorageClasses => "StorageClasses", "StorageClass 一覧";
    PersistentVolumes => "PersistentVolumes", "PersistentVolume 一覧";
    Claims => "PersistentVolumeClaims", "PersistentVolumeClaim 一覧";
    PodVolumes => "Pod volumes", "Pod のボリューム";
    ColName => "Name", "名前";
    ColProvisioner => "Provisioner", "プロビジョナー";
    ColReclaim => "Reclaim policy", "回収ポリシー";
    ColBindingMode => "Binding mode", "バインドのタイミング";
    ColCapacity => "Capacity", "容量";
    ColClass => "StorageClass", "StorageClass";
    ColClaim => "Claim", "Claim";
    ColVolume => "Volume", "ボリューム";
    ColPods => "Used by", "使用中の Pod";
    ColSource => "Source", "ソース";
    ColMounts => "Mounted at", "マウント先";
    ColNode => "Node", "ノード";
    DefaultClass => "(default)", "（デフォルト）";
    Timeline => "Timeline", "タイムライン";
    NoClaims => "No claims yet. Create a PersistentVolumeClaim (kubectl apply -f - <<EOF …) and a pod that uses it: its binding and timeline appear here.",
        "まだ Claim はありません。PersistentVolumeClaim とそれを使う Pod を作成すると、バインドとタイムラインがここに表示されます。";
    NoVolumes => "No volumes yet.", "まだボリュームはありません。";
    NotBound => "not bound", "未バインド";
    NoPods => "no pod", "Pod なし";
    ColFiles => "Files", "ファイル";
    Browse => "Browse", "表示";
    BrowseVolume => "Browse the files of volume {0} in pod {1}", "Pod {1} のボリューム {0} のファイルを表示";
    FilesOf => "Files of volume {0} in pod {1}", "Pod {1} のボリューム {0} のファイル";
    CloseFiles => "Close", "閉じる";
    VolumeEmpty => "The volume is empty.", "ボリュームは空です。";
    VolumeUnavailable => "No kubelet runs this pod right now, so its volume has no files to show.",
        "この Pod は今どの kubelet でも動いていないため、ボリュームのファイルを表示できません。";
    // Events.
    WhatJustHappened => "What just happened", "直前に起きたこと";
    StoryHint => "Run a command (kubectl create deployment web --image=nginx) and what it set off appears here, actor by actor.",
        "コマンドを実行すると（kubectl create deployment web --image=nginx）、それが引き起こしたことがコンポーネントごとにここに表示されます。";
    StoryList => "Story of the last command", "直前のコマンドの経過";
    FilterLabel => "Filter by object", "オブジェクトで絞り込み";
    FilterPlaceholder => "e.g. replicaset or web", "例: replicaset や web";
    EventsList => "Events list", "Event 一覧";
    NoEvents => "No events match.", "該当する Event はありません。";
    SystemPodsHidden => "Pods of the kube-* namespaces are left out.", "kube-* 名前空間の Pod は省いています。";
    Created => "created", "作成";
    Updated => "updated", "更新";
    Deleted => "deleted", "削除";
    Truncated => "Showing the first {0} steps.", "最初の {0} 件を表示しています。";
    // The Lesson panel (CONTRACT §5: a region named `Lesson`).
    LessonRegion => "Lesson", "レッスン";
    Lessons => "Lessons", "レッスン一覧";
    LessonsIntro => "Pick a lesson: it starts on a fresh cluster of its own, and the sandbox waits until you come back. Each step's goals tick as the cluster reaches them.",
        "レッスンを選んでください。レッスンは専用の新しいクラスターで始まり、サンドボックスは戻るまでそのまま残ります。各ステップのゴールは、クラスターがその状態になると自動でチェックされます。";
    LessonFinishedMark => "finished", "修了";
    LessonNumber => "Lesson {0}", "レッスン {0}";
    HidePanel => "Hide the lesson panel", "レッスン欄を隠す";
    ShowPanel => "Show the lesson panel", "レッスン欄を表示";
    Goals => "Goals", "ゴール";
    StepDone => "done", "完了";
    StepPending => "to do", "未完了";
    HintButton => "Hint", "ヒント";
    NextHint => "Another hint", "次のヒント";
    ShowSolution => "Show solution", "解答を見る";
    HideSolution => "Hide solution", "解答を隠す";
    ResetLesson => "Reset lesson", "レッスンをやり直す";
    LeaveLesson => "Back to the sandbox", "サンドボックスに戻る";
    LessonComplete => "Lesson complete: every step is done. Pick another lesson, or keep exploring this cluster.",
        "レッスン完了です。すべてのステップが終わりました。別のレッスンを選ぶか、このクラスターで自由に試してみてください。";
    StepsOf => "Step {0} of {1}", "ステップ {0} / {1}";
    CommandsSoFar => "Commands so far: {0} · par {1}", "ここまでのコマンド：{0} 回・パー {1}";
    ParIntro => "Par: the reference solution's command count. Reach the goal in fewer commands to beat it.",
        "パーは模範解答のコマンド数です。それより少ないコマンドでゴールできればあなたの勝ちです。";
    ParBeaten => "{0} commands, par {1}: beaten by {2}", "コマンド {0} 回（パー {1}）：{2} 回少なくクリア";
    ParMatched => "{0} commands, par {1}: matched", "コマンド {0} 回（パー {1}）：パーどおり";
    ParOver => "{0} commands, par {1}: {2} over", "コマンド {0} 回（パー {1}）：{2} 回オーバー";
    ParTotal => "In all: {0}", "合計：{0}";
    // The manifest editor (CONTRACT §5: a text area named `Manifest editor` and a button `Apply`).
    ManifestRegion => "Manifest", "マニフェスト";
    ManifestEditor => "Manifest editor", "マニフェストエディタ";
    ManifestPlaceholder => "Write or paste YAML (several documents separated by ---), or pick a template; Apply runs kubectl apply -f - (Ctrl+Enter). Tab indents; Esc then Tab leaves.",
        "YAML を書くか貼り付けてください（--- で区切って複数のドキュメントも可）。テンプレートも選べます。適用で kubectl apply -f - を実行します（Ctrl+Enter）。Tab でインデント、Esc の後の Tab で移動します。";
    Apply => "Apply", "適用";
    Template => "Template", "テンプレート";
    TemplatePick => "Template…", "テンプレート…";
    TemplateReplace => "Replace the editor's text with the template?", "エディタの内容をテンプレートで置き換えますか？";
    ErrorAtLine => "Line {0}: ", "{0} 行目: ";
}

/// Notes for translators: what each placeholder holds, and words whose sense is not plain from the text.
/// A test requires one for every string with a placeholder.
#[cfg_attr(not(test), allow(dead_code))]
pub const NOTES: &[(Key, &str)] = &[
    (Key::RestoreFailed, "{0}: why, in English from the page (\"unreadable: …\", \"saved by another version …\")."),
    (Key::SharedOpened, "{0}: how many commands the link's session held."),
    (Key::SharedBroken, "{0}: why, in English (\"the link is damaged (…)\")."),
    (Key::SessionImported, "{0}: how many commands the file's session held."),
    (Key::SessionFileBroken, "{0}: the JSON parser's message, in English."),
    (Key::Downloaded, "{0}: how many objects; {1}: the file name (kubeground-manifests.yaml)."),
    (Key::Rewound, "{0}: the moment shown, {1}: the live cluster's time, both h:mm:ss of simulated time."),
    (Key::ContinuedFrom, "{0}: the moment (h:mm:ss); {1}: how many later session entries (commands, time steps) were dropped."),
    (Key::TopologyDescription, "The picture's accessible title. {0}: all nodes; {1}: control-plane nodes; {2}: workers."),
    (Key::PodRange, "{0}: the node's pod address range (podCIDR), such as 10.244.3.0/24."),
    (Key::HopOf, "{0}: the step's number; {1}: how many steps; {2}: the step in English, from the engine."),
    (Key::WholePathOf, "{0}: the request in English (\"connect to web:80 from default/client\"); {1}: how many steps; {2}: its outcome (\"HTTP 200 OK\")."),
    (Key::PodsMore, "{0}: how many more pods (or Services) than the picture draws."),
    (Key::NodeIp, "{0}: the node's InternalIP."),
    (Key::NodePods, "{0}: the node's pod CIDR (10.244.1.0/24)."),
    (Key::PodTitle, "{0}: namespace/name; {1}: kubectl's STATUS (Running, CrashLoopBackOff; keep in English); {2}: READY (1/1); {3}: the pod IP or <none>; {4}: restarts."),
    (Key::EtcdHealthy, "{0}: etcd members up; {1}: all members."),
    (Key::EtcdLost, "{0}: etcd members up; {1}: all members. Quorum: a majority of members, as etcd's documentation says it."),
    (Key::InspectNode, "A node's accessible name in the picture. {0}: the node's name."),
    (Key::SchedulerQueue, "{0}: how many pods wait for a node."),
    (Key::PodCount, "{0}: a number of pods, more than one (PodCountOne is the singular)."),
    (Key::ControlledBy, "A link to the object's controller. {0}: kind/name as kubectl writes it (replicaset.apps/web-…)."),
    (Key::BrowseVolume, "A button's accessible name. {0}: the volume's name; {1}: namespace/pod."),
    (Key::FilesOf, "{0}: the volume's name; {1}: namespace/pod."),
    (Key::Truncated, "{0}: how many steps of the story are shown."),
    (Key::LessonNumber, "{0}: the lesson's number."),
    (Key::StepsOf, "{0}: the current step's number; {1}: how many steps the lesson has."),
    (Key::CommandsSoFar, "{0}: commands the learner ran for this step; {1}: its par (the reference solution's command count, a golf word)."),
    (Key::ParBeaten, "{0}: commands used; {1}: the par; {2}: how many fewer than the par."),
    (Key::ParMatched, "{0}: commands used; {1}: the par (as many)."),
    (Key::ParOver, "{0}: commands used; {1}: the par; {2}: how many more than the par."),
    (Key::ParTotal, "{0}: the whole challenge's score, one of ParBeaten, ParMatched or ParOver."),
    (Key::ErrorAtLine, "Put before the apiserver's (English) message. {0}: a line number of the manifest."),
    (Key::Step, "A button: advance simulated time by one second (not a lesson step)."),
    (Key::ActDrain, "kubectl's verb (kubectl drain): keep it recognisable."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_with_a_placeholder_has_a_translator_note() {
        for (key, en, _) in TABLE {
            let note = NOTES.iter().find(|(k, _)| k == key).map(|(_, n)| *n);
            if en.contains("{0}") {
                let note = note.unwrap_or_else(|| panic!("{key:?} has a placeholder but no translator note"));
                assert!(note.contains("{0}"), "{key:?}: the note says what {{0}} holds");
            }
            if let Some(note) = note {
                assert!(!note.trim().is_empty(), "{key:?} has an empty note");
            }
        }
    }

    #[test]
    fn every_key_has_english_and_japanese_text() {
        for (key, en, ja) in TABLE {
            assert!(!en.trim().is_empty(), "{key:?} has no English text");
            assert!(!ja.trim().is_empty(), "{key:?} has no Japanese text");
            assert_eq!(Lang::En.t(*key), *en);
            assert_eq!(Lang::Ja.t(*key), *ja);
            // Placeholders match, so no translation drops a value.
            for i in 0..4 {
                let p = format!("{{{i}}}");
                assert_eq!(en.contains(&p), ja.contains(&p), "{key:?} placeholder {p}");
            }
        }
    }

    #[test]
    fn language_follows_the_tag_and_fills_placeholders() {
        assert_eq!(Lang::from_tag("ja-JP"), Lang::Ja);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
        assert_eq!(Lang::Ja.fmt(Key::PodsMore, &["3"]), "ほか 3");
        // CONTRACT §5: the Language control keeps its English name on the Japanese page.
        assert_eq!(Lang::Ja.t(Key::Language), "Language");
        assert_eq!(Lang::Ja.t(Key::TabStorage), "ストレージ");
    }
}

// Bahasa Indonesia first, English on a switch. Every word the screens show lives here, so
// the two languages stay side by side and nothing is left untranslated.

import { useEffect, useState } from "preact/hooks";

export type Lang = "id" | "en";

const id = {
  "app.name": "Loket",
  "app.office": "Kantor Imigrasi",
  "lang.switch": "English",
  "common.back": "Kembali",
  "common.cancel": "Batal",
  "common.ok": "Baik",
  "common.yes": "Ya",
  "common.loading": "Memuat…",
  "common.offline": "Tidak terhubung ke hub. Menghubungkan kembali…",
  "common.online": "Terhubung",
  "common.logout": "Keluar",
  "common.minutes": "{n} menit",
  "common.save": "Simpan",
  "common.none": "Tidak ada",

  "home.title": "Pilih peran layar ini",
  "home.kiosk": "Anjungan antrean",
  "home.kiosk.hint": "Ambil nomor antrean dan check-in M-Paspor",
  "home.counter": "Petugas loket",
  "home.counter.hint": "Memanggil dan melayani pemohon",
  "home.display": "Papan panggilan",
  "home.display.hint": "Layar ruang tunggu dengan suara panggilan",
  "home.head": "Dasbor kepala kantor",
  "home.head.hint": "Antrean, waktu tunggu dan layanan hari ini",

  "connect.title": "Menghubungkan ke hub kantor…",
  "connect.hint": "Layar ini akan terbuka sendiri begitu hub menjawab di {hub}.",
  "connect.role": "Peran: {role}",

  "kiosk.welcome": "Selamat datang",
  "kiosk.choose": "Silakan pilih layanan",
  "kiosk.booking": "Saya punya jadwal M-Paspor",
  "kiosk.booking.hint": "Pindai kode QR atau ketik kode booking",
  "kiosk.priority": "Layanan prioritas",
  "kiosk.priority.hint": "Lansia, ibu hamil, anak balita, disabilitas, sakit",
  "kiosk.priority.title": "Layanan prioritas (Ramah HAM)",
  "kiosk.priority.question": "Siapa yang memerlukan layanan prioritas?",
  "kiosk.priority.service": "Pilih layanan untuk jalur prioritas",
  "kiosk.confirm.title": "Ambil nomor antrean?",
  "kiosk.confirm.service": "Layanan",
  "kiosk.confirm.lane": "Jalur",
  "kiosk.confirm.take": "Ya, ambil nomor",
  "kiosk.ticket.title": "Nomor antrean Anda",
  "kiosk.ticket.wait": "Perkiraan waktu tunggu",
  "kiosk.ticket.ahead": "{n} orang di depan Anda",
  "kiosk.ticket.printing": "Tiket sedang dicetak. Silakan ambil tiket Anda.",
  "kiosk.ticket.printed": "Silakan ambil tiket Anda dan tunggu panggilan di layar.",
  "kiosk.ticket.print_failed": "Tiket tidak tercetak. Catat nomor Anda atau minta bantuan petugas.",
  "kiosk.ticket.done": "Selesai",
  "kiosk.booking.title": "Check-in M-Paspor",
  "kiosk.booking.scan": "Arahkan kode QR di aplikasi M-Paspor ke pemindai, atau ketik kode booking lalu tekan Lanjut.",
  "kiosk.booking.code": "Kode booking",
  "kiosk.booking.submit": "Lanjut",
  "kiosk.booking.checked_in": "Check-in berhasil",
  "kiosk.walk_in": "Langsung datang",
  "kiosk.appointment": "Janji temu M-Paspor",
  "kiosk.priority_lane": "Prioritas",
  "kiosk.quota.left": "Sisa kuota {n}",
  "kiosk.quota.none": "Kuota habis",
  "kiosk.closed": "Layanan sedang tutup",
  "kiosk.error.title": "Maaf",
  "kiosk.error.quota": "Kuota {service} hari ini sudah habis.",
  "kiosk.error.quota.next": "Silakan daftar jadwal di aplikasi M-Paspor atau datang lagi besok pagi. Petugas informasi dapat membantu.",
  "kiosk.error.unknown_booking": "Kode booking tidak ditemukan.",
  "kiosk.error.unknown_booking.next": "Periksa kode di aplikasi M-Paspor lalu coba lagi, atau tanyakan ke petugas informasi.",
  "kiosk.error.wrong_day": "Jadwal Anda bukan untuk hari ini.",
  "kiosk.error.wrong_day.next": "Silakan datang pada tanggal {date}. Untuk mengubah jadwal, gunakan aplikasi M-Paspor.",
  "kiosk.error.wrong_office": "Jadwal Anda untuk kantor imigrasi lain.",
  "kiosk.error.wrong_office.next": "Silakan datang ke kantor yang tertulis di aplikasi M-Paspor.",
  "kiosk.error.too_early": "Belum waktunya check-in.",
  "kiosk.error.too_early.next": "Check-in dibuka {time}. Silakan tunggu lalu pindai lagi.",
  "kiosk.error.too_late": "Waktu check-in jadwal Anda sudah lewat.",
  "kiosk.error.too_late.next": "Silakan ke meja informasi untuk dibantu petugas.",
  "kiosk.error.unpaid": "Pembayaran PNBP belum tercatat.",
  "kiosk.error.unpaid.next": "Selesaikan pembayaran dengan kode billing SIMPONI, lalu pindai lagi, atau tanyakan ke petugas informasi.",
  "kiosk.error.cancelled": "Jadwal ini sudah dibatalkan.",
  "kiosk.error.cancelled.next": "Silakan buat jadwal baru di aplikasi M-Paspor.",
  "kiosk.error.already": "Jadwal ini sudah check-in.",
  "kiosk.error.already.next": "Nomor antrean Anda: {ticket}. Tunggu panggilan di layar.",
  "kiosk.error.not_offered": "Layanan ini tidak tersedia hari ini.",
  "kiosk.error.not_offered.next": "Silakan tanyakan ke petugas informasi.",
  "kiosk.error.generic": "Terjadi gangguan.",
  "kiosk.error.generic.next": "Silakan coba lagi atau minta bantuan petugas.",
  "kiosk.idle": "Kembali ke awal dalam {n} detik",
  "kiosk.footer": "Layanan keimigrasian tidak dipungut biaya selain PNBP resmi. Waspada calo.",

  "counter.login.title": "Masuk petugas",
  "counter.login.user": "Nama pengguna",
  "counter.login.password": "Kata sandi",
  "counter.login.submit": "Masuk",
  "counter.login.wrong": "Nama pengguna atau kata sandi salah. Periksa lalu coba lagi.",
  "counter.open.title": "Buka loket",
  "counter.open.counter": "Loket",
  "counter.open.services": "Layanan",
  "counter.open.stages": "Tahap",
  "counter.open.submit": "Buka loket",
  "counter.close": "Tutup loket",
  "counter.queue": "Antrean",
  "counter.queue.empty": "Tidak ada yang menunggu.",
  "counter.waiting": "menunggu",
  "counter.current": "Pemohon saat ini",
  "counter.current.none": "Belum ada yang dipanggil. Tekan F1 untuk memanggil berikutnya.",
  "counter.action.next": "Panggil berikutnya",
  "counter.action.recall": "Panggil ulang",
  "counter.action.start": "Mulai layani",
  "counter.action.noshow": "Tidak hadir",
  "counter.action.transfer": "Alihkan",
  "counter.action.park": "Tunda",
  "counter.action.finish": "Selesai",
  "counter.calls": "Dipanggil {n}x",
  "counter.transfer.title": "Alihkan ke tahap",
  "counter.record": "Data pemohon",
  "counter.record.booking": "Data booking",
  "counter.record.walkin": "Pemohon langsung datang (tanpa booking).",
  "counter.record.nik": "Pemeriksaan NIK",
  "counter.record.nik.placeholder": "16 digit NIK",
  "counter.record.birth": "Tanggal lahir",
  "counter.record.nik.check": "Periksa",
  "counter.record.payment": "Status pembayaran",
  "counter.record.payment.paid": "Lunas",
  "counter.record.payment.unpaid": "Belum dibayar",
  "counter.record.payment.unverified": "Belum terverifikasi (pusat tidak terhubung)",
  "counter.record.docs": "Daftar periksa dokumen",
  "counter.record.notes": "Catatan",
  "counter.record.notes.hint": "Catatan untuk tahap berikutnya (tanpa data pribadi yang tidak perlu)",
  "counter.steps": "Langkah kunjungan",
  "counter.parked": "Ditunda",
  "counter.error.forbidden": "Akun ini tidak berhak melakukan tindakan itu.",
  "counter.shortcut": "Pintasan",

  "doc.ektp": "e-KTP",
  "doc.kk": "Kartu Keluarga (KK)",
  "doc.birth": "Akta lahir / ijazah / buku nikah",
  "doc.old_passport": "Paspor lama",
  "doc.police": "Surat keterangan hilang dari kepolisian",
  "doc.damaged": "Paspor yang rusak",
  "doc.receipt": "Tanda terima permohonan",
  "doc.poa": "Surat kuasa (jika diwakilkan)",

  "display.now": "Nomor antrean",
  "display.to": "Silakan ke",
  "display.counter": "Loket {n}",
  "display.last": "Panggilan sebelumnya",
  "display.waiting": "Belum ada panggilan",
  "display.sound": "Sentuh untuk menyalakan suara panggilan",

  "head.title": "Dasbor hari ini",
  "head.waiting": "Menunggu",
  "head.longest": "Tunggu terlama",
  "head.counters": "Loket buka",
  "head.served": "Selesai dilayani",
  "head.noshow": "Tidak hadir",
  "head.per_service": "Menunggu per layanan",
  "head.service": "Layanan",
  "head.col.waiting": "Menunggu",
  "head.col.longest": "Terlama",
  "head.col.served": "Selesai",
  "head.col.quota": "Kuota tersisa",
  "head.counters.list": "Loket",
  "head.counter.closed": "tutup",
  "head.counter.serving": "melayani {ticket}",
  "head.counter.idle": "siap",
  "head.updated": "Diperbarui {time}",

  "lane.walk_in": "Langsung datang",
  "lane.appointment": "M-Paspor",
  "lane.priority": "Prioritas",

  "svc.new_passport": "Paspor baru",
  "svc.new_passport.hint": "Belum pernah punya paspor",
  "svc.replacement": "Ganti paspor",
  "svc.replacement.hint": "Paspor penuh atau habis berlaku",
  "svc.lost_damaged": "Paspor hilang / rusak",
  "svc.lost_damaged.hint": "Perlu pemeriksaan (BAP)",
  "svc.pickup": "Ambil paspor",
  "svc.pickup.hint": "Bawa tanda terima",
  "svc.information": "Informasi",
  "svc.information.hint": "Pertanyaan dan bantuan",

  "grp.elderly": "Lansia",
  "grp.child_under_five": "Anak di bawah 5 tahun",
  "grp.disability": "Penyandang disabilitas",
  "grp.pregnant": "Ibu hamil",
  "grp.sick": "Sakit",

  "stage.document_check": "Pemeriksaan berkas",
  "stage.photo_fingerprint_interview": "Foto, sidik jari, wawancara",
  "stage.bap": "BAP",
  "stage.decision": "Keputusan",
  "stage.photo_fingerprint": "Foto dan sidik jari",
  "stage.identity_receipt_check": "Identitas dan tanda terima",
  "stage.information": "Informasi",
} as const;

export type Key = keyof typeof id;

const en: Record<Key, string> = {
  "app.name": "Loket",
  "app.office": "Immigration Office",
  "lang.switch": "Bahasa Indonesia",
  "common.back": "Back",
  "common.cancel": "Cancel",
  "common.ok": "OK",
  "common.yes": "Yes",
  "common.loading": "Loading…",
  "common.offline": "Not connected to the hub. Reconnecting…",
  "common.online": "Connected",
  "common.logout": "Log out",
  "common.minutes": "{n} min",
  "common.save": "Save",
  "common.none": "None",

  "home.title": "Choose this screen's role",
  "home.kiosk": "Queue kiosk",
  "home.kiosk.hint": "Take a queue ticket and check in M-Paspor bookings",
  "home.counter": "Counter officer",
  "home.counter.hint": "Call and serve applicants",
  "home.display": "Display board",
  "home.display.hint": "Waiting-room screen with spoken calls",
  "home.head": "Office head's dashboard",
  "home.head.hint": "Today's queues, waiting times and service",

  "connect.title": "Connecting to the office hub…",
  "connect.hint": "This screen opens by itself as soon as the hub answers at {hub}.",
  "connect.role": "Role: {role}",

  "kiosk.welcome": "Welcome",
  "kiosk.choose": "Please choose a service",
  "kiosk.booking": "I have an M-Paspor appointment",
  "kiosk.booking.hint": "Scan the QR code or type the booking code",
  "kiosk.priority": "Priority service",
  "kiosk.priority.hint": "Elderly, pregnant, small children, disability, sick",
  "kiosk.priority.title": "Priority service (Ramah HAM)",
  "kiosk.priority.question": "Who needs priority service?",
  "kiosk.priority.service": "Choose the service for the priority lane",
  "kiosk.confirm.title": "Take a queue number?",
  "kiosk.confirm.service": "Service",
  "kiosk.confirm.lane": "Lane",
  "kiosk.confirm.take": "Yes, take a number",
  "kiosk.ticket.title": "Your queue number",
  "kiosk.ticket.wait": "Estimated wait",
  "kiosk.ticket.ahead": "{n} people ahead of you",
  "kiosk.ticket.printing": "Printing your ticket. Please take it.",
  "kiosk.ticket.printed": "Please take your ticket and wait for your call on the screen.",
  "kiosk.ticket.print_failed": "The ticket did not print. Note your number or ask an officer.",
  "kiosk.ticket.done": "Done",
  "kiosk.booking.title": "M-Paspor check-in",
  "kiosk.booking.scan": "Hold the QR code in the M-Paspor app to the scanner, or type the booking code and press Continue.",
  "kiosk.booking.code": "Booking code",
  "kiosk.booking.submit": "Continue",
  "kiosk.booking.checked_in": "Checked in",
  "kiosk.walk_in": "Walk-in",
  "kiosk.appointment": "M-Paspor appointment",
  "kiosk.priority_lane": "Priority",
  "kiosk.quota.left": "{n} left today",
  "kiosk.quota.none": "Quota used up",
  "kiosk.closed": "Service closed now",
  "kiosk.error.title": "Sorry",
  "kiosk.error.quota": "Today's quota for {service} is used up.",
  "kiosk.error.quota.next": "Please book an appointment in the M-Paspor app or come back tomorrow morning. The information desk can help.",
  "kiosk.error.unknown_booking": "Booking code not found.",
  "kiosk.error.unknown_booking.next": "Check the code in the M-Paspor app and try again, or ask the information desk.",
  "kiosk.error.wrong_day": "Your appointment is not for today.",
  "kiosk.error.wrong_day.next": "Please come on {date}. To change it, use the M-Paspor app.",
  "kiosk.error.wrong_office": "Your appointment is at another immigration office.",
  "kiosk.error.wrong_office.next": "Please go to the office shown in the M-Paspor app.",
  "kiosk.error.too_early": "Check-in is not open yet.",
  "kiosk.error.too_early.next": "Check-in opens at {time}. Please wait and scan again.",
  "kiosk.error.too_late": "The check-in time of your appointment has passed.",
  "kiosk.error.too_late.next": "Please go to the information desk for help.",
  "kiosk.error.unpaid": "The PNBP payment is not recorded.",
  "kiosk.error.unpaid.next": "Pay with your SIMPONI billing code, then scan again, or ask the information desk.",
  "kiosk.error.cancelled": "This appointment was cancelled.",
  "kiosk.error.cancelled.next": "Please book a new appointment in the M-Paspor app.",
  "kiosk.error.already": "This appointment is already checked in.",
  "kiosk.error.already.next": "Your queue number: {ticket}. Wait for your call on the screen.",
  "kiosk.error.not_offered": "This service is not offered today.",
  "kiosk.error.not_offered.next": "Please ask the information desk.",
  "kiosk.error.generic": "Something went wrong.",
  "kiosk.error.generic.next": "Please try again or ask an officer for help.",
  "kiosk.idle": "Back to the start in {n} seconds",
  "kiosk.footer": "Immigration services cost nothing beyond the official PNBP fees. Beware of brokers.",

  "counter.login.title": "Officer log-in",
  "counter.login.user": "User name",
  "counter.login.password": "Password",
  "counter.login.submit": "Log in",
  "counter.login.wrong": "Wrong user name or password. Check them and try again.",
  "counter.open.title": "Open a counter",
  "counter.open.counter": "Counter",
  "counter.open.services": "Services",
  "counter.open.stages": "Stages",
  "counter.open.submit": "Open counter",
  "counter.close": "Close counter",
  "counter.queue": "Queue",
  "counter.queue.empty": "Nobody is waiting.",
  "counter.waiting": "waiting",
  "counter.current": "Current applicant",
  "counter.current.none": "Nobody called yet. Press F1 to call the next one.",
  "counter.action.next": "Call next",
  "counter.action.recall": "Recall",
  "counter.action.start": "Start serving",
  "counter.action.noshow": "No-show",
  "counter.action.transfer": "Transfer",
  "counter.action.park": "Park",
  "counter.action.finish": "Finish",
  "counter.calls": "Called {n}x",
  "counter.transfer.title": "Transfer to stage",
  "counter.record": "Applicant record",
  "counter.record.booking": "Booking data",
  "counter.record.walkin": "Walk-in applicant (no booking).",
  "counter.record.nik": "NIK check",
  "counter.record.nik.placeholder": "16-digit NIK",
  "counter.record.birth": "Date of birth",
  "counter.record.nik.check": "Check",
  "counter.record.payment": "Payment status",
  "counter.record.payment.paid": "Paid",
  "counter.record.payment.unpaid": "Not paid",
  "counter.record.payment.unverified": "Not verified (central unreachable)",
  "counter.record.docs": "Documents checklist",
  "counter.record.notes": "Notes",
  "counter.record.notes.hint": "Notes for the next stage (no needless personal data)",
  "counter.steps": "Visit steps",
  "counter.parked": "Parked",
  "counter.error.forbidden": "This account may not do that.",
  "counter.shortcut": "Shortcut",

  "doc.ektp": "e-KTP (ID card)",
  "doc.kk": "Family card (KK)",
  "doc.birth": "Birth certificate / diploma / marriage book",
  "doc.old_passport": "Old passport",
  "doc.police": "Police loss report",
  "doc.damaged": "The damaged passport",
  "doc.receipt": "Application receipt",
  "doc.poa": "Power of attorney (if represented)",

  "display.now": "Queue number",
  "display.to": "Please go to",
  "display.counter": "Counter {n}",
  "display.last": "Previous calls",
  "display.waiting": "No calls yet",
  "display.sound": "Touch to turn on the spoken calls",

  "head.title": "Today's dashboard",
  "head.waiting": "Waiting",
  "head.longest": "Longest wait",
  "head.counters": "Counters open",
  "head.served": "Served",
  "head.noshow": "No-shows",
  "head.per_service": "Waiting per service",
  "head.service": "Service",
  "head.col.waiting": "Waiting",
  "head.col.longest": "Longest",
  "head.col.served": "Served",
  "head.col.quota": "Quota left",
  "head.counters.list": "Counters",
  "head.counter.closed": "closed",
  "head.counter.serving": "serving {ticket}",
  "head.counter.idle": "ready",
  "head.updated": "Updated {time}",

  "lane.walk_in": "Walk-in",
  "lane.appointment": "M-Paspor",
  "lane.priority": "Priority",

  "svc.new_passport": "New passport",
  "svc.new_passport.hint": "Never had a passport",
  "svc.replacement": "Replace passport",
  "svc.replacement.hint": "Passport full or expiring",
  "svc.lost_damaged": "Lost / damaged passport",
  "svc.lost_damaged.hint": "Needs an examination (BAP)",
  "svc.pickup": "Pick up passport",
  "svc.pickup.hint": "Bring your receipt",
  "svc.information": "Information",
  "svc.information.hint": "Questions and help",

  "grp.elderly": "Elderly",
  "grp.child_under_five": "Child under 5",
  "grp.disability": "Person with a disability",
  "grp.pregnant": "Pregnant woman",
  "grp.sick": "Sick",

  "stage.document_check": "Document check",
  "stage.photo_fingerprint_interview": "Photo, fingerprints, interview",
  "stage.bap": "BAP",
  "stage.decision": "Decision",
  "stage.photo_fingerprint": "Photo and fingerprints",
  "stage.identity_receipt_check": "Identity and receipt",
  "stage.information": "Information",
};

const dictionaries: Record<Lang, Record<Key, string>> = { id, en };

const STORAGE_KEY = "loket.lang";
let current: Lang = readStoredLang();
const listeners = new Set<(l: Lang) => void>();

function readStoredLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "id";
  } catch {
    return "id";
  }
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts until reload
  }
  document.documentElement.lang = next;
  listeners.forEach((f) => f(next));
}

/** Translates `key`, filling `{name}` placeholders from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key] ?? id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** Translates a key built at run time (service codes, stages...); falls back to `fallback`. */
export function tDynamic(key: string, fallback: string): string {
  const dict = dictionaries[current] as Record<string, string>;
  return dict[key] ?? fallback;
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  const [l, setL] = useState(current);
  useEffect(() => {
    listeners.add(setL);
    return () => {
      listeners.delete(setL);
    };
  }, []);
  return l;
}

/** Every key exists in both languages (checked by the unit tests). */
export function missingKeys(): { lang: Lang; key: string }[] {
  const out: { lang: Lang; key: string }[] = [];
  for (const k of Object.keys(id)) {
    if (!(k in en)) out.push({ lang: "en", key: k });
  }
  for (const k of Object.keys(en)) {
    if (!(k in id)) out.push({ lang: "id", key: k });
  }
  return out;
}

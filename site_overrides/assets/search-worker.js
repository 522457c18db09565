// Material's search box, answered by Pagefind's chunked index (pagefind/ beside assets/).
// This worker speaks Material's worker messages: SETUP (0) -> READY (1), QUERY (2) -> RESULT (3),
// so the search box, its keyboard use and the highlighting on the opened page stay Material's.
// Material inserts titles and texts as HTML: everything from the index is escaped here.
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
// The few results whose previews are fetched: each costs one small request.
var RESULTS = 20;

// Words of a question that say nothing about which rule answers it: question words, pronouns,
// auxiliaries and filler ("how", "do I have to", "what should I", "can I").
var STOP_WORDS = new Set((
  "a an and are as at be by can could do does for from have how i if in is it me my of on or " +
  "our should so that the their them they this to us was we what when where which who why " +
  "will with would you your i'm don't can't just get got ok okay happens happen there any " +
  "about also am been being did has had into its let may might must need not only own shall " +
  "than then these those too very want im i've ive i'll i'd it's that's there's what's " +
  "how's who's doesn't isn't aren't won't wouldn't shouldn't couldn't dont cant he she him " +
  "her his hers theirs someone somebody anyone anybody something anything really actually " +
  "please supposed allowed going gonna wants needs like still even much many lot thing " +
  "things stuff some way here now today tomorrow yesterday one does doing done"
).split(" "));

var site = new URL("../", self.location.href);
var pagefind = null;
var ready = null;
var synonyms = {};
// generator/search.py `search_settings`: the vocabulary, best bets, categories and contacts.
var settings = { vocabulary: { lists: [], words: {} }, best_bets: [], categories: [] };
var longestPhrase = 1;
var latest = 0;
var RECORDS = 1;
// How much a record holding only some of the words is held back.
var EXPONENT = 3;
// A word found through the vocabulary counts a little less than the word as typed.
var EXPANDED = 0.85;
// A policy's own entry (its summary, purpose and scope) is a long passage: a rule that holds
// the same words answers the question more directly.
var PAGE_ENTRY = 0.6;

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// A table's own entry for a typed word: "constructor" is no word of the vocabulary.
function own(table, key) {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

// The words of a query as typed: lower case, curly apostrophes straightened, without
// punctuation around them and without a possessive "'s" ("customer's" is "customer").
function tokens(query) {
  // A dot between digits stays: a policy number such as 03600.001 is one word.
  return query.toLowerCase().replace(/[\u2018\u2019]/g, "'").split(/[\s,;:!?()"/]+|\.(?!\d)/)
    .map(function (word) {
      return word.replace(/^[^\w]+|[^\w]+$/g, "").replace(/'s$/, "");
    }).filter(function (word) { return word.length > 0; });
}

// The words a phrase or word of the vocabulary stands for (handbook.yaml `synonyms` included).
function vocabularyWords(typed) {
  var lists = own(settings.vocabulary.words, typed);
  if (!lists) return [];
  var words = [];
  lists.forEach(function (index) {
    settings.vocabulary.lists[index].forEach(function (word) {
      if (word !== typed && words.indexOf(word) === -1) words.push(word);
    });
  });
  return words;
}

// What a query asks for: one slot per word or vocabulary phrase that matters, each with the
// words searched for it (the typed word, then the handbook's words for it). A phrase of the
// vocabulary ("day off", "in charge of") is read whole, even when it holds a question word;
// a question word alone, or a single letter, asks for nothing.
function slotsOf(query) {
  var words = tokens(query);
  var slots = [];
  var seen = {};
  for (var start = 0; start < words.length;) {
    var size = Math.min(longestPhrase, words.length - start);
    for (; size > 1; size--) {
      if (own(settings.vocabulary.words, words.slice(start, start + size).join(" "))) break;
    }
    var typed = words.slice(start, start + size).join(" ");
    start += size;
    if (seen[typed]) continue;
    seen[typed] = true;
    var also = vocabularyWords(typed);
    if (size === 1 && (STOP_WORDS.has(typed) || typed.length < 2)) continue;
    slots.push({ typed: typed, words: [typed].concat(also) });
  }
  return slots;
}

// A word's root, for telling a real match from Pagefind's partial one: "greeting" is found
// in "greet", "policies" in "policy"; "police" is not found in "policy".
function root(word) {
  if (word.length > 5) word = word.replace(/(ing|ed|ies|es|s|ly)$/, "");
  return word;
}

function startsWord(word) {
  return new RegExp("(^|[^\\w])(" + escapeRegExp(escapeHTML(word)) + ")", "i");
}

function holds(content, word) {
  var parts = word.split(" ");
  parts[parts.length - 1] = root(parts[parts.length - 1]);
  return startsWord(parts.join(" ")).test(content);
}

// The words to mark in a result: every searched word of every slot.
function wordsToMark(slots) {
  var marked = [];
  slots.forEach(function (slot) {
    slot.words.forEach(function (word) {
      marked.push(word);
      (own(synonyms, word) || []).forEach(function (other) { marked.push(other.toLowerCase()); });
    });
  });
  return marked;
}

function highlight(text, words) {
  var html = escapeHTML(text);
  if (!words.length) return html;
  var pattern = new RegExp("(^|[^\\w&#])(" + words.map(function (word) {
    return escapeRegExp(escapeHTML(root(word)));
  }).join("|") + ")(\\w*)", "gi");
  return html.replace(pattern, "$1<mark data-md-highlight>$2$3</mark>");
}

// Which words a record holds: Material shows a slot's typed word as missing when the record
// holds none of its words, and passes the found ones to the page it opens, which highlights
// them (in the rule that answered: site_overrides/assets/handbook.js).
function termsOf(data, slots) {
  var terms = {};
  var content = data.content || "";
  slots.forEach(function (slot) {
    var found = slot.words.filter(function (word) { return holds(content, word); });
    if (!found.length) terms[slot.typed] = false;
    found.forEach(function (word) { terms[word] = true; });
  });
  return terms;
}

function relative(url) {
  return url.replace(/^\//, "");
}

// A rule's preview goes inside its title, on a line of its own: Material shows a result with
// an #anchor as a title alone (site_overrides/assets/handbook.css).
function item(location, title, preview, score, terms) {
  var rule = location.indexOf("#") !== -1;
  return [{
    location: location,
    title: rule && preview ? title + '<span class="hb-search-preview">' + preview + "</span>" : title,
    text: rule ? "" : preview,
    score: score,
    terms: terms
  }];
}

// One result per record, in rank order.
function toItem(data, slots, score) {
  var meta = data.meta || {};
  var marked = wordsToMark(slots);
  // The record's page and #anchor (generator/search.py indexes records from files).
  var url = relative(meta.href || data.url);
  return item(url, highlight(meta.title || "", marked), highlight(meta.preview || "", marked),
    score, termsOf(data, slots));
}

// The best bets (handbook.yaml `best_bets`) whose phrase the query holds, marked, first.
function bestBets(slots, query) {
  var typed = " " + tokens(query).join(" ") + " ";
  var marked = wordsToMark(slots);
  return settings.best_bets.filter(function (bet) {
    return typed.indexOf(" " + bet.phrase + " ") !== -1;
  }).map(function (bet) {
    var title = '<span class="hb-best-bet">Best bet</span> ' + highlight(bet.title, marked);
    var terms = termsOf({ content: bet.title + " " + bet.preview }, slots);
    return item(bet.href, title, highlight(bet.preview, marked), 0, terms);
  });
}

// When nothing answers: say so, and offer what to try instead, as results one can choose.
function nothingFound(slots, query) {
  var also = [];
  slots.forEach(function (slot) {
    slot.words.forEach(function (word) {
      if (word !== slot.typed && also.indexOf(word) === -1) also.push(word);
    });
  });
  var asked = slots.length ? slots.map(function (slot) { return slot.typed; }).join(", ") : query;
  var said = "No rule of the handbook answers \u201c" + escapeHTML(asked.trim()) + "\u201d" +
    (also.length ? ", nor the words policies use for it (" +
      escapeHTML(also.slice(0, 8).join(", ")) + ")" : "") +
    ". Ask one of the contacts, or browse a category.";
  var items = [item(settings.contacts || "contacts/",
    '<span class="hb-no-answer">' + said + "</span> Contacts: who to ask", "", 0, {})];
  settings.categories.forEach(function (category) {
    items.push(item(category.href, "Browse " + escapeHTML(category.name), "", 0, {}));
  });
  return items;
}

// Among the results fetched: a record holding none of the words is left out (a half-typed
// word's matches that do not start with it); a policy's own entry yields to its rules; a
// record holding the words as typed comes first.
function rerank(found, top, slots) {
  return found.filter(function (data) {
    var content = data.content || "";
    return slots.some(function (slot) {
      return slot.words.some(function (word) {
        return holds(content, word) || startsWord(word).test(content);
      });
    });
  }).map(function (data) {
    var index = found.indexOf(data);
    var content = data.content || "";
    var typed = slots.filter(function (slot) { return holds(content, slot.typed); }).length;
    var page = (data.meta && data.meta.href || data.url || "").indexOf("#") === -1;
    var rank = top[index].rank * (1 + typed / slots.length) * (page ? PAGE_ENTRY : 1);
    return { data: data, rank: rank };
  }).sort(function (a, b) {
    return b.rank - a.rank;
  }).map(function (entry) {
    return entry.data;
  });
}

async function setup(config) {
  synonyms = {};
  Object.keys((config && config.synonyms) || {}).forEach(function (word) {
    synonyms[word.toLowerCase()] = config.synonyms[word];
  });
  if (config && config.handbook) settings = config.handbook;
  Object.keys(settings.vocabulary.words).forEach(function (phrase) {
    longestPhrase = Math.max(longestPhrase, phrase.split(" ").length);
  });
  pagefind = await import(new URL("pagefind/pagefind.js", site).href);
  // Full weight to a record's length: a short rule holding the words outranks a long passage
  // that repeats them.
  await pagefind.options({ ranking: { pageLength: 1.0, termSaturation: 1.0 } });
  await pagefind.init();
  // How many records there are: the rarity of a word is measured against it. Pagefind's entry
  // file says so (it has just loaded it: this comes from the browser's cache).
  var entry = await (await fetch(new URL("pagefind/pagefind-entry.json", site))).json();
  RECORDS = Math.max(1, Object.values(entry.languages || {}).reduce(function (sum, language) {
    return sum + (language.page_count || 0);
  }, 0));
  self.postMessage({ type: READY });
}

async function query(value) {
  var id = ++latest;
  // A query typed while the index is still loading waits for it, rather than failing.
  await ready;
  if (!value.trim()) {
    self.postMessage({ type: RESULT, data: { items: [], total: 0 } });
    return;
  }
  var slots = slotsOf(value);
  var bets = bestBets(slots, value);
  // The last word of a query that does not end in a space may be half typed.
  var last = /\s$/.test(value) || !slots.length ? "" : slots[slots.length - 1].typed;
  var ranked = slots.length ? await rank(slots, last) : [];
  if (id !== latest) return;
  var top = ranked.slice(0, RESULTS);
  var found = await Promise.all(top.map(function (result) {
    return result.data();
  }));
  if (id !== latest) return;
  found = rerank(found, top, slots);
  var pinned = bets.map(function (bet) { return bet[0].location; });
  var items = bets.concat(found.filter(function (data) {
    return pinned.indexOf(relative((data.meta || {}).href || data.url)) === -1;
  }).map(function (data, index) {
    return toItem(data, slots, found.length - index);
  }));
  if (!items.length) items = nothingFound(slots, value);
  self.postMessage({ type: RESULT, data: { items: items, total: items.length } });
}

// Pagefind finds records holding every word; a question ("how fast do I answer an email?")
// seldom has all its words in one rule. So each slot is searched on its own (each of its words,
// a record scoring by the best of them), weighted by how rare it is (a word in few records says
// more about which rule is meant than "customer" does), and a record ranks by its slots'
// scores, scaled by the weighted share of the slots it answers.
async function rank(slots, typing) {
  var words = [];
  slots.forEach(function (slot) {
    slot.words.forEach(function (word) { if (words.indexOf(word) === -1) words.push(word); });
  });
  // Pagefind ranks a record holding a longer word that starts with the one typed ("manner" for
  // "man", "policy" for "police") and, for a word it does not hold at all, near ones. The same
  // word in quotes finds only the records that hold it (or a form of it: "greet" for
  // "greeting"), unranked: a record counts for a word when the quoted search finds it too.
  var searches = await Promise.all(words.map(function (word) {
    return Promise.all([pagefind.search(word), pagefind.search('"' + word + '"')]);
  }));
  // The word still being typed ("ang" on the way to "angry") is no word yet: while the quoted
  // search finds nothing for it, Pagefind's own matches stand, and `rerank` keeps those whose
  // text holds a word starting with it.
  var byWord = {};
  words.forEach(function (word, index) {
    var ranked = searches[index][0], exact = searches[index][1];
    if (!ranked || !exact) return;
    if (!exact.results.length && word === typing && word.length >= 3) {
      byWord[word] = ranked.results;
      return;
    }
    var holding = new Set(exact.results.map(function (result) { return result.id; }));
    byWord[word] = ranked.results.filter(function (result) { return holding.has(result.id); });
  });
  var records = new Map();
  var total = 0;
  slots.forEach(function (slot) {
    var best = new Map();
    slot.words.forEach(function (word, index) {
      var results = byWord[word];
      if (!results) return;
      var weight = index === 0 && word === slot.typed ? 1 : EXPANDED;
      results.forEach(function (result) {
        var seen = best.get(result.id);
        if (!seen || seen.score < result.score * weight) {
          best.set(result.id, { result: result, score: result.score * weight });
        }
      });
    });
    // A phrase of the vocabulary ("my job", "day off") says more than any one of its words.
    var rarity = Math.log(1 + RECORDS / (1 + best.size)) * slot.typed.split(" ").length;
    total += rarity;
    best.forEach(function (found, key) {
      var record = records.get(key) || { result: found.result, score: 0, share: 0 };
      record.score += found.score * rarity;
      record.share += rarity;
      records.set(key, record);
    });
  });
  return Array.from(records.values()).map(function (record) {
    record.rank = record.score * Math.pow(record.share / total, EXPONENT);
    return record;
  }).sort(function (a, b) { return b.rank - a.rank; }).map(function (record) {
    record.result.rank = record.rank;
    return record.result;
  });
}

self.addEventListener("message", function (event) {
  var message = event.data;
  if (message.type === SETUP) ready = setup(message.data.config);
  else if (message.type === QUERY) query(message.data);
});

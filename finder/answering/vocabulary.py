"""Local-government words mapped to the catalog's own terms, so a clerk's phrasing finds the program.

Each entry maps a pattern of everyday words ("pumper truck", "water tower", "lift station") to phrases
that appear in catalog records' `uses` or `keywords`. A test keeps every target phrase present in the
catalog, so the vocabulary can only point at what programs really say they pay for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    pattern: re.Pattern[str]
    targets: tuple[str, ...]


def _t(words: str, *targets: str) -> Term:
    return Term(re.compile(r"\b(?:" + words + r")", re.I), targets)


TERMS: tuple[Term, ...] = (
    # public safety and public buildings
    _t(r"pumper|fire (engine|apparatus)|ladder truck|tanker truck|brush truck|fire truck", "fire trucks",
       "fire stations"),
    _t(r"ambulances?|ems (vehicle|unit|squad)|rescue squad", "ambulances", "rescue equipment"),
    _t(r"squad cars?|patrol cars?|police (cars?|cruisers?|vehicles?)|sheriff'?s? (cars?|vehicles?)", "police cars"),
    _t(r"jails?\b|detention (center|facility)|lock-?up", "jails"),
    _t(r"fire ?(hall|house|station)s?|fire department (building|station)", "fire stations"),
    _t(r"sheriff'?s? (office|station|building)|police (station|department building|headquarters)", "police stations"),
    _t(r"community (center|hall|building)s?|civic center|senior center|rec(reation)? center|fairgrounds?",
       "community centers"),
    _t(r"food (bank|pantry)|community kitchen|soup kitchen", "food banks and community kitchens"),
    _t(r"court ?houses?", "courthouses"),
    _t(r"(town|city|village) hall|municipal (building|offices)|county (building|offices|admin)", "town halls"),
    _t(r"librar(y|ies)", "libraries"),
    _t(r"\bada\b|wheelchair|(isn'?t|not|more|fully) (ada[- ])?accessible|accessib\w* (entrance|restroom|bathroom|door)|"
       r"elevators? for", "removing barriers that keep people with disabilities out of public buildings"),
    _t(r"roofs?\b|hvac|boilers?\b|(building|facility) (repairs?|upgrades?|renovation)|renovat\w* (the|our) "
       r"(building|hall|library|center)", "improving existing community buildings (repairs and upgrades)"),
    _t(r"clinic|nursing home|hospital", "medical clinics"),
    _t(r"day ?care|child ?care", "child care centers"),
    _t(r"snow ?plows?|dump trucks?|road grader|public works (truck|vehicle|equipment)", "public works vehicles"),
    _t(r"(highway|road|public works|maintenance|county) (garage|shed|barn|shop|yard|facility|building)s?|"
       r"salt (shed|dome|barn|storage)", "public works vehicles", "town halls"),
    _t(r"runways?|taxiways?|airfield|airport (lights?|lighting|beacons?|signs?)", "runway and taxiway paving or "
       "rehabilitation", "airfield lighting and signs"),
    # drinking water
    _t(r"water towers?|standpipe|elevated tank|water tanks?|storage tanks?", "water towers", "water storage tanks"),
    _t(r"water (mains?|lines?|pipes?)|main breaks?|pipes? (keep )?break|lose .{0,20}water|water loss|"
       r"leak\w* water|water \w+ leak",
       "water mains", "water main and distribution pipe replacement"),
    _t(r"(?<!oil )(?<!gas )(?<!orphaned )(?<!abandoned )\bwells?\b|aquifer", "new wells and well rehabilitation"),
    _t(r"lead (pipes?|service|lines?)", "lead service line replacement"),
    _t(r"pfas|forever chemicals", "PFAS"),
    _t(r"boil (water )?(order|notice|advisory)|water (treatment|plant)", "water treatment plant"),
    # wastewater and stormwater
    _t(r"lift stations?|pump(ing)? stations?", "lift stations"),
    _t(r"lagoons?", "sewage lagoons"),
    _t(r"septic", "septic-to-sewer"),
    _t(r"sewer|sewage|wastewater", "sewer lines", "wastewater treatment plant"),
    _t(r"storm ?water|rain gardens?|green infrastructure|flooded streets|drainage", "stormwater",
       "green infrastructure"),
    _t(r"culverts?", "culvert replacement"),
    # streets, safety, transit
    _t(r"speeding|speeders|traffic calming|speed (humps?|bumps?|tables?)|hit by (a )?(car|driver)|pedestrian deaths?",
       "traffic calming", "crosswalks"),
    _t(r"sidewalks?|crosswalks?|walkab", "sidewalks", "crosswalks"),
    _t(r"bike (lanes?|paths?)|bicycl", "bike lanes"),
    _t(r"street ?lights?|street lighting", "LED streetlights"),
    _t(r"potholes?|repav|resurfac|paving|pavement", "pavement"),
    _t(r"main street|downtown streetscape|complete streets?", "complete streets"),
    _t(r"bus (garage|barn|depot|maintenance)", "bus garages and maintenance facilities"),
    _t(r"microtransit|dial-a-ride|demand[- ]response|on-demand (bus|van|transit)", "dial-a-ride (demand-response)"),
    _t(r"(stuck|wait\w*) (behind|for) (a )?(stopped )?trains?|train crossings?|rail crossings?",
       "railroad grade crossings and grade separations"),
    _t(r"fast chargers?|ev chargers?|charging stations?|electric vehicle charg", "EV chargers"),
    # broadband
    _t(r"fiber|high-speed internet|broadband|internet (service|access)|only (have )?satellite|dial-?up",
       "fiber-optic lines to homes, farms and businesses", "broadband"),
    # energy
    _t(r"power bill|electric(ity)? bill|energy (costs?|bills?)|utility bills? for (city|county|town)",
       "energy audits of government buildings"),
    _t(r"solar panels?", "solar panels on municipal buildings"),
    # hazards and disasters
    _t(r"buy ?outs?|flood-?prone homes", "buyouts of flood-prone homes"),
    _t(r"debris|emergency overtime|declared disaster", "debris removal after a disaster"),
    _t(r"levees?|flood ?walls?|sea ?walls?", "flood walls, levees and drainage upgrades"),
    _t(r"dams?\b", "dam"),
    _t(r"wildfire|defensible space|home hardening|fuel breaks?", "community wildfire protection plans"),
    # land and environment
    _t(r"dry cleaners?|old gas stations?|chemicals? in the soil|contaminated (lot|land|property|site)|"
       r"polluted (lot|site)",
       "brownfield", "cleaning up contaminated sites"),
    _t(r"street trees?|tree canopy|urban forest|ash borer|replant\w* trees|shade trees", "street tree planting"),
    _t(r"recycl|curbside|materials recovery", "recycling"),
    _t(r"landfill|trash|garbage", "landfill"),
    _t(r"parks?\b|playgrounds?|ball ?fields?|swimming pools?", "playgrounds", "buying land for parks and open space"),
    _t(r"trails?\b|greenways?", "multi-use trails"),
    _t(r"orphan(ed)? wells?|abandoned (oil|gas) wells?|plug\w* wells?", "plugging orphaned oil and gas wells"),
)


def expansions(text: str) -> list[str]:
    """Catalog phrases for the everyday words in `text`, in vocabulary order, without repeats."""
    out: list[str] = []
    for term in TERMS:
        if term.pattern.search(text):
            out.extend(t for t in term.targets if t not in out)
    return out

"""Every physical constant of the model, with its value, unit and published source.

One table: the modules take their defaults from here and nowhere else, and
`python -m objectives constants` prints it as the Markdown table the README shows (a test
keeps the two equal). A constant is a published figure or a figure derived from
published ones by the arithmetic stated in `what`; nothing here is fitted to a car.
"""

import dataclasses
from typing import Any, Generic, SupportsFloat, TypeVar, cast

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Constant(Generic[T]):
    """A model constant: `value` in `unit` (SI unless the unit says otherwise)."""

    value: T
    unit: str
    what: str
    source: str

    def __float__(self) -> float:
        return float(cast(SupportsFloat, self.value))  # a numeric constant (float() of a str one raises)


# --- test conditions -------------------------------------------------------------------

AIR_DENSITY = Constant(
    1.189,
    "kg/m^3",
    "air density of the reference atmosphere road loads are corrected to (100 kPa, 20 °C: p / (R T))",
    "UN GTR No. 15 (WLTP), Annex 4, reference conditions for road load (p0 = 100 kPa, T0 = 293 K, rho0 = 1.189 kg/m^3)",
)
DRIVER_MASS = Constant(
    75.0,
    "kg",
    "driver carried in the mass in running order, and in the 0-100 km/h run",
    "Regulation (EU) No 1230/2012, Art. 2(4): mass in running order includes 75 kg for the driver",
)
WLTP_EXTRA_MASS = Constant(
    25.0,
    "kg",
    "added to the actual mass of the vehicle for the WLTP test mass",
    "UN GTR No. 15, para. 3.2.25 (test mass = actual mass + 25 kg + mass representative of the vehicle load)",
)
WLTP_LOAD_FRAC = Constant(
    0.15,
    "1",
    "mass representative of the vehicle load, as a fraction of the maximum vehicle load (category 1 vehicles)",
    "UN GTR No. 15, para. 3.2.26 and Annex 4 (15 % of the maximum vehicle load for category 1 vehicles)",
)
EPA_EXTRA_MASS = Constant(
    136.078,
    "kg",
    "EPA loaded vehicle weight: curb weight + 300 lb (equivalent test weight of the dynamometer tests)",
    "40 CFR 86.1803-01 (loaded vehicle weight = curb weight + 300 lb)",
)
EPA_CITY_WEIGHT = Constant(
    0.55,
    "1",
    "city (UDDS) share of the EPA combined label, weighted by consumption",
    "40 CFR 600.210-12(c): combined = 1 / (0.55 / city + 0.45 / highway)",
)
EPA_LABEL_FACTOR = Constant(
    0.7,
    "1",
    "EPA adjustment of two-cycle (UDDS/HWFET) EV range and consumption to the label value",
    "EPA, 40 CFR 600.116-12(a) and SAE J1634 (2017): the derived 5-cycle adjustment of 0.7 a manufacturer may use",
)
MAX_LOAD = Constant(
    450.0,
    "kg",
    "maximum vehicle load (payload) of a car whose own figure is not given",
    "NAF (Norwegian Automobile Federation) from the national vehicle register: EVs carry on average 453 kg of payload "
    "(small, compact, medium, SUV and large classes; tv2.no/broom, 'Derfor kan du ha med mye mindre i en elbil')",
)
AUX_POWER = Constant(
    250.0,
    "W",
    "auxiliary (low-voltage board net) load on the DC bus during the tests, climate off",
    "NREL FASTSim vehicle files: auxKw 0.25 for the 2016 Leaf, 2017 Bolt, 2022 Tesla Model 3 RWD, Zoe ZE50, Cupra Born "
    "and 11 more EVs (0.2 for four); TUM FTM models use 230-300 W (MQS-LDS i3 / e-Golf, HEPCD ID.3 280 W)",
)
_FASTSIM_REGEN = (
    "NREL FASTSim regenerative-braking speed limit (python/fastsim/simdrive.py, regen_a = 500, "
    "regen_b = 0.99): 10 % of regen at 5 km/h, 49 % at 8.5 km/h, 96 % at 15 km/h; this model fades "
    "linearly between the two ends"
)
REGEN_FADE_LOW = Constant(5.0 / 3.6, "m/s", "speed below which regenerative braking is off", _FASTSIM_REGEN)
REGEN_FADE_HIGH = Constant(
    15.0 / 3.6, "m/s", "speed above which regenerative braking is fully available", _FASTSIM_REGEN
)
PEAK_POWER_SOC = Constant(
    0.2,
    "1",
    "state of charge down to which the pack must deliver peak power",
    "USABC Electric Vehicle Battery Test Procedures Manual (rev. 2, 1996): peak power capability is rated at 80 % "
    "depth of discharge",
)

# --- tyres -----------------------------------------------------------------------------

_A41 = (
    "Regulation (EU) 2017/1151, Annex XXI, Sub-Annex 4, Table A4/1: the RRC used for each tyre energy class in "
    "WLTP road-load interpolation (as implemented in JRC's CO2MPAS, co2mpas/model/physical/defaults.py)"
)
LABEL_RRC = {
    "A": Constant(
        5.9e-3, "N/N", "rolling-resistance coefficient of EU label class A (C1 tyres: RRC <= 6.5 kg/t)", _A41
    ),
    "B": Constant(7.1e-3, "N/N", "class B (6.6-7.7 kg/t)", _A41),
    "C": Constant(8.4e-3, "N/N", "class C (7.8-9.0 kg/t)", _A41),
    "D": Constant(
        9.8e-3,
        "N/N",
        "class D of Regulation (EU) 2020/740 (9.1-10.5 kg/t, class E of 1222/2009)",
        _A41 + "; class limits: Regulation (EC) 1222/2009 Annex I Part A",
    ),
    "E": Constant(
        11.3e-3,
        "N/N",
        "class E of 2020/740 (>= 10.6 kg/t, class F of 1222/2009)",
        _A41 + "; class limits: Regulation (EC) 1222/2009 Annex I Part A",
    ),
}
RRC_REFERENCE_SPEED = Constant(
    80.0 / 3.6,
    "m/s",
    "test speed of the label coefficient (taken as the road value there)",
    "ISO 28580 / UN R117 Annex 6: passenger-car tyres at 80 km/h",
)
_MF62 = (
    "TNO MF-Tyre 6.2 example tyre 205/60 R15, rolling-resistance moment (github.com/Tencent/TAD_Sim, TNOTire defaults)"
)
RRC_SPEED_SHAPE = (
    Constant(7.02e-3, "1", "q1 of the rolling-resistance speed shape (QSY1)", _MF62),
    Constant(1.515e-3, "1", "q3, linear in speed (QSY3)", _MF62),
    Constant(8.514e-5, "1", "q4, fourth power of speed (QSY4)", _MF62),
)
RRC_SHAPE_SPEED = Constant(16.7, "m/s", "reference speed of the shape (LONGVL)", _MF62)
DYNAMIC_RADIUS_FACTOR = Constant(
    3.05 / 3.141592653589793,
    "1",
    "dynamic rolling radius / unloaded radius (rolling circumference = 3.05 x outer diameter)",
    "ETRTO Standards Manual, passenger car tyres: dynamic rolling circumference = 3.05 x overall diameter",
)
_BRAKING = (
    "median mean deceleration / g of published 100-0 km/h dry braking tests (tyrereviews.com: Auto Bild 2024 "
    "and 2025 EV tyre tests, auto motor und sport 2023, Sport Auto 2017 and 2021, evo 2022; TUV SUD for Michelin)"
)
FRICTION = {
    "eco": Constant(
        1.12, "1", "peak dry friction, low-rolling-resistance (eco, EV) tyres: 6 results 1.04-1.19", _BRAKING
    ),
    "touring": Constant(1.12, "1", "touring summer tyres: 6 results 1.01-1.16", _BRAKING),
    "uhp": Constant(
        1.14, "1", "ultra-high-performance summer tyres (Pilot Sport 4/4S, P Zero): 3 results 1.12-1.17", _BRAKING
    ),
    "track": Constant(1.20, "1", "road-legal track tyres (P Zero Trofeo R): 1 result", _BRAKING),
}
DRAG_PER_TYRE_WIDTH = Constant(
    0.36,
    "1/m",
    "rise of the drag coefficient with the section width of the tyres",
    "Hucho, Aerodynamik des Automobils (1998), after Kerschbaum, Fig. 5.72: BMW 318i with wheel covers, Cd 0.293 on "
    "155 R15 and 0.311 on 205/60 R15, (0.311 - 0.293) / 50 mm (quoted at ecomodder.com/forum/92668-post1.html)",
)
TYRE_MASS_PER_AREA = Constant(
    13.3,
    "kg/m^2",
    "tyre mass per unit of tread + sidewall area",
    "median of 18 published masses (spread 10.3-14.3): 15 sizes of Pilot Sport Cup 2 (tyrereviews.co.uk), two 195/55 "
    "R16 (Sport Auto 2021), TNO MF-Tyre 6.2 example 205/60 R15 (9.3 kg)",
)
WHEEL_MASS_PER_AREA = Constant(
    22.3,
    "kg/m^2",
    "cast alloy wheel mass per unit of disc + barrel area",
    "median of published wheel masses: 16 in 9.3 kg, 17 in ~9 kg, 18 in 10-12.7 kg, 20 in 13.2 kg (owners' and "
    "retail reports: forums.mbclub.co.uk, winenfood.com, tongfamily.com, pavezezze.pages.dev); low confidence",
)

# --- motors and inverters --------------------------------------------------------------

REFERENCE_SPEED = Constant(
    500.0, "rad/s", "speed at which the motor loss fractions are quoted (a definition, ~4,800 rpm)", "definition"
)
_ID3 = (
    "Wassiliadis et al., 'Quantifying the state of the art of electric powertrains in battery electric vehicles: "
    "range, power, and lifetime from component to system level of the Volkswagen ID.3', eTransportation 12 (2022) "
    "100167: measured inverter-to-shaft efficiency map (150 points, 354-14,100 rpm, 31-310 N m) and coasting "
    "losses (1,849 points) of the APP310 drive, as published in TUMFTM/Eco_Driving_Toolbox_for_BEVs "
    "(DataExtern/PowertrainComponents/Motor/ID3/); least-squares fit of this model's four terms, relative "
    "weights, median error 7 %, less the inverter's share (INVERTER_*)"
)
_PM_LOSSES = {
    "copper_loss_frac": Constant(0.0226, "1", "copper loss at peak torque (tau^2 term), fraction of T_pk w_ref", _ID3),
    "stray_loss_frac": Constant(
        0.0303, "1", "losses following the current (|tau| term) at peak torque, motor side", _ID3
    ),
    "iron_loss_frac": Constant(
        0.0022,
        "1",
        "iron and field-weakening loss at zero torque (x^2 term) at w_ref",
        _ID3 + "; the fit gives no term linear in speed",
    ),
    "mechanical_loss_frac": Constant(
        3.1e-4,
        "1",
        "bearing and windage loss at w_ref (x^2 term)",
        "TUMFTM/Holistic-Electric-Powertrain-Component-Design: mechanical loss 410 W at 14,000 rpm (Ricciardi, "
        "Politecnico di Torino 2023), for a 310 N m machine: 410 W / (310 N m x 500 rad/s x (1466/500)^2)",
    ),
}
_ILLIANO = (
    "Illiano, 'Design of a highly efficient brushless current excited synchronous motor for automotive "
    "purposes', Diss. ETH No. 22393 (2014): field current at six operating points of a 220 N m, 6-pole EESM "
    "(20-220 N m, 2,000-10,000 rpm), tabulated with the machine's rotor winding (400 turns, 40 Ohm) in "
    "SEMAFORInformatik/femagtools, examples/parameter-ident-characteristics/eesm/machine.py; least squares "
    "outside field weakening: I_f = 0.65 A + 0.0215 A/(N m) |T|, so 40 Ohm x (5.38 A)^2 = 1.16 kW at 220 N m"
)
EXCITATION_OFFSET = Constant(
    0.12,
    "1",
    "field current at zero torque / field current at peak torque (I_f ~ a + (1 - a) |tau|, loss-optimal excitation)",
    _ILLIANO + ": 0.65 A / 5.38 A",
)
_NO_EXCITATION = Constant(
    0.0,
    "1",
    "rotor field-winding loss: none (magnets or induced rotor currents carry the field; "
    "an induction machine's rotor loss is in the lumped terms above)",
    "physics of the machine",
)
MOTOR_TYPES = {
    "pmsm": {
        **_PM_LOSSES,
        "excitation_loss_frac": _NO_EXCITATION,
        "idle_iron_frac": Constant(
            1.0,
            "1",
            "PMSM: the magnets keep the flux, the iron loss is paid at zero torque",
            "VW: the rear PSM 'leicht rekuperiert und abbremst' when unpowered (stern.de, "
            "'VW ID.: Elektromotoren im Doppeleffekt'); ID.3 coasting losses (above)",
        ),
        "mass_per_torque": Constant(
            0.20,
            "kg/(N m)",
            "PMSM mass per N m of peak torque",
            "BMW i3: 50 kg for 250 N m; Nissan Leaf (2011): 58 kg for 280 N m (thegreencarwebsite.co.uk, 'BMW reveals "
            "secrets of new hybrid design', 2013)",
        ),
    },
    "eesm": {
        **_PM_LOSSES,
        "excitation_loss_frac": Constant(
            0.0105,
            "1",
            "rotor field-winding loss I_f^2 R_f at peak torque, fraction of T_pk w_ref",
            _ILLIANO + ": 1.16 kW / (220 N m x 500 rad/s)",
        ),
        "idle_iron_frac": Constant(
            0.0,
            "1",
            "EESM: field current off at zero torque, no iron loss",
            "physics of the machine; no published drag figure found",
        ),
        "mass_per_torque": Constant(
            0.20, "kg/(N m)", "EESM mass per N m (taken as the PMSM's: no teardown mass found)", "as pmsm"
        ),
    },
    "induction": {
        **_PM_LOSSES,
        "excitation_loss_frac": _NO_EXCITATION,
        "idle_iron_frac": Constant(
            0.0,
            "1",
            "induction: no magnetising current at zero torque, no iron loss",
            "VW on the ID.4 GTX front ASM: 'nur minimale Schleppverluste, wenn sie unbestromt mitläuft' "
            "(volkswagen-newsroom.com, 'Kopf trifft Herz: der ID.4 GTX')",
        ),
        "mass_per_torque": Constant(
            0.27,
            "kg/(N m)",
            "induction machine mass per N m of peak torque",
            "the PMSM figure x 1.37, the ratio of VW MEB drive units with gearbox and electronics: front ASM 60 kg for "
            "151 N m, rear PSM 90 kg for 310 N m (elektroauto-news.net, VW ID.4 GTX Erfahrungsbericht; stern.de)",
        ),
    },
}
ROTOR_INERTIA_PER_TORQUE = Constant(
    1.16e-4,
    "kg m^2/(N m)",
    "rotating inertia of a drive unit at motor speed (rotor and gears) per N m of peak torque",
    "2018 Chevrolet Bolt EDU, 0.041748 kg m^2 for 360 N m (US EPA ALPHA map package, 2023-09, SolidWorks model of the "
    "measured parts)",
)
CONTINUOUS_POWER_FRAC = Constant(
    0.28,
    "1",
    "30-minute (UN R85) power / peak power, when not published",
    "German registration (30-minute power): Tesla Model S 85, 69 of 270 kW (0.26); "
    "BMW iX M70, 150 of 485 kW (0.31); mean",
)
INVERTER_SWITCHING_FRAC = Constant(
    1.5e-3,
    "1",
    "inverter switching loss at peak torque, fraction of peak power (~ f E_sw V I, independent of V at equal power)",
    "Si IGBT module at 450 A / 400 V: E_on + E_off + E_rec = 44 mJ (25 °C), 5 kHz (TUMFTM/Holistic-Electric-Powertrain-"
    "Component-Design, after the FS800R07A2E3 data sheet); (3/pi) f E / (0.866 cos(phi) I V), cos(phi) = 0.9",
)
INVERTER_CONDUCTION_DROP = Constant(
    1.84,
    "V",
    "inverter conduction loss at peak torque per A of peak DC current (P_pk / V)",
    "same module: V_CE0 = 0.75 V; (6/pi) V_CE0 / (0.866 cos(phi)), cos(phi) = 0.9",
)
INVERTER_MASS_PER_CURRENT = Constant(
    0.023,
    "kg/A",
    "inverter mass per A of rated DC current",
    "US DRIVE 2020 target 14.1 kW/kg at 325 V nominal (Reimers et al., 'Automotive traction inverters: current status "
    "and future trends', IEEE Trans. Veh. Technol. 68 (2019)): 325 V / 14.1 kW/kg",
)

# --- gearing ---------------------------------------------------------------------------

_ID3_GEAR = (
    "VW ID.3 single-speed reducer (11.53:1), loss map modelled with FZG WTplus, as published in "
    "TUMFTM/Eco_Driving_Toolbox_for_BEVs (Data/Vehicles/Paper_ID3.mat; Koch et al.)"
)
GEAR_EFFICIENCY = Constant(
    0.98, "1", "reducer mesh efficiency (fraction of the torque carried)", _ID3_GEAR + ": ~2 % loss at 85 kW"
)
GEAR_SPIN_TORQUE_FRAC = Constant(
    1.0e-3,
    "1",
    "no-load drag torque of the box / its rated wheel torque",
    _ID3_GEAR + ": no-load 105 W at 310 and 590 W at 1,510 wheel rpm, ~3.5 N m at the wheel, for 310 N m x 11.53",
)
GEARBOX_MASS_PER_TORQUE = Constant(
    0.0101,
    "kg/(N m)",
    "reducer mass per N m of rated wheel torque",
    "GKN single-speed eAxle: 20.2 kg for 2,000 N m output (vehicledynamicsinternational.com, 'Plug-in electric AWD "
    "enters C-segment')",
)
TWO_SPEED_EXTRA_MASS = Constant(
    20.0,
    "kg",
    "mass of a two-speed box over a single-speed one",
    "TUMFTM/Holistic-Electric-Powertrain-Component-Design (two-speed gearbox +20 kg)",
)
TWO_SPEED_SPIN_FRAC = Constant(
    0.5,
    "1",
    "extra no-load drag of a two-speed box, relative to a single-speed one",
    "one more stage's bearings and seals (3 shafts' worth instead of 2): bearings and seals dominate the no-load loss "
    "of the ID.3 reducer (" + _ID3_GEAR + ")",
)
DISCONNECT_MASS = Constant(
    3.0,
    "kg",
    "mass of an axle disconnect clutch and its actuator",
    "ESTIMATE: no published mass of the clutch alone was found; whole e-axles with an integrated dog-clutch disconnect "
    "weigh 20.2 kg (GKN eAxle) and 18 kg (BorgWarner eGearDrive 31-02)",
)

# --- battery pack ----------------------------------------------------------------------

_LEAF_PACKS = (
    "two packs of one maker and cell generation: Nissan Leaf 40 kWh, 303 kg with 192 cells of 224 Wh/kg "
    "(176 kg; pushevs.com, 2018 Nissan Leaf battery real specs) and Leaf e+ 62 kWh, 410 kg (github.com/"
    "dalathegreat/Battery-Emulator wiki, Nissan LEAF) with 277 kg of the same cells: pack = F + k x cells"
)
PACK_FIXED_MASS = Constant(
    116.0, "kg", "pack mass that does not grow with the cells (housing, BMS, junction box, cooling)", _LEAF_PACKS
)
PACK_MASS_FACTOR = {
    "nmc": Constant(1.06, "1", "mass of the cells and what grows with them / cell mass", _LEAF_PACKS),
    "lfp": Constant(1.06, "1", "LFP: as NMC (no pair of LFP packs with published masses found)", "as nmc"),
}
_ID3_CELL = (
    "VW ID.3 cell, Wassiliadis et al. 2022 (above), as published in TUMFTM/Eco_Driving_Toolbox_for_BEVs "
    "(Data/Vehicles/Paper_ID3.mat: 80.44 Ah, R_i 1.857 mOhm, OCV of 310 points)"
)
NMC_CELL: dict[str, Constant[Any]] = {  # values of several types: floats, the OCV a tuple
    "capacity_ah": Constant(80.44, "Ah", "capacity of the NMC cell (VW MEB pouch)", _ID3_CELL),
    "resistance_mohm": Constant(1.857, "mOhm", "internal resistance", _ID3_CELL),
    "mass_kg": Constant(
        1.1355,
        "kg",
        "mass of the 78 Ah LG pouch cell of the same format",
        "TUMFTM/Holistic-Electric-Powertrain-Component-Design, Renault ZOE LG E78 cell file (the file "
        "warns it holds no full real cell data); 261 Wh/kg with the capacity above",
    ),
    "ocv": Constant(
        (2.512, 3.407, 3.496, 3.570, 3.611, 3.651, 3.723, 3.841, 3.943, 4.055, 4.191),
        "V",
        "open-circuit voltage at SOC 0, 0.1, ..., 1",
        _ID3_CELL + ", sampled every 10 % SOC",
    ),
    "max_discharge_c": Constant(
        6.0,
        "1/h",
        "peak (~10 s) discharge current / capacity",
        "Porsche Taycan Turbo S: 560 kW overboost from its 93.4 kWh gross pack (slashgear.com, "
        "electriccarsreport.com), 6.0 C at pack level",
    ),
    "max_charge_c": Constant(
        3.3,
        "1/h",
        "peak charge current / capacity",
        "250 kW V3 Supercharging into the 75 kWh Model 3 Long Range (Tesla)",
    ),
}
LFP_CELL: dict[str, Constant[Any]] = {
    "capacity_ah": Constant(
        161.0,
        "Ah",
        "capacity of the LFP cell (CATL prismatic, Model 3 Standard Range)",
        "batterydesign.net, CATL BTF0 161 Ah LFP (after the teardown by Stock et al.)",
    ),
    "resistance_mohm": Constant(0.4, "mOhm", "internal resistance (AC, 1 kHz: a lower bound on the DC value)", "same"),
    "mass_kg": Constant(3.1, "kg", "mass", "same"),
    "ocv": Constant(
        (2.010, 3.199, 3.239, 3.278, 3.288, 3.299, 3.310, 3.321, 3.331, 3.342, 3.598),
        "V",
        "open-circuit voltage at SOC 0, 0.1, ..., 1",
        "Lithium Werks APR18650M1B LFP cell, pseudo-OCV at C/32 (Sunil, Pattipati, Balasingam, IEEE Trans. "
        "Instrum. Meas. 2025; github.com/soorajsunil/Piecewise-Battery-OCV), interpolated every 10 % SOC",
    ),
    "max_discharge_c": Constant(6.0, "1/h", "peak (~10 s) discharge current / capacity", "as nmc"),
    "max_charge_c": Constant(3.3, "1/h", "peak charge current / capacity", "as nmc"),
}

# --- spec estimation rules (the predictor's defaults for fields a spec does not give) ----

FRONTAL_AREA_FACTOR = Constant(
    0.85,
    "1",
    "frontal area / (overall width x height) of a car",
    "B. Bowling, 'Air drag coefficients and frontal area calculation' (bgsoflex.com/airdragchart.html, after "
    "'The ACCELERATOR Slide Rule'): 85 % for cars; the ID.3's published 2.36 m^2 gives 0.83",
)
DEFAULT_CD = Constant(
    0.28,
    "1",
    "drag coefficient of a car that publishes none",
    "median of the 10 published drag coefficients in objectives/data/reference_vehicles.yaml",
)
DEFAULT_USABLE_FRAC = Constant(
    0.956,
    "1",
    "usable / gross battery energy of a pack that publishes one of the two",
    "median of the 9 cars in objectives/data/reference_vehicles.yaml that publish both",
)
DEFAULT_TYRE_SIZE = Constant(
    "235/55 R18",
    "ISO size",
    "tyre of a car that publishes no size",
    "median section width, aspect ratio and rim of the standard tyres of 13 compact and medium EVs (OE sizes, "
    "manufacturers' and tyre retailers' fitment data): overall diameter 712 mm against this size's 716 mm",
)
DEFAULT_LABEL = Constant(
    "B",
    "EU class",
    "rolling-resistance class of a tyre whose class and line are not published",
    "median class of the EV tyre lines in objectives/data/tyre_lines.yaml (EU product sheets)",
)
LOW_PROFILE_ASPECT = Constant(
    0.40,
    "1",
    "aspect ratio at or below which a tyre of unknown line is taken as ultra-high-performance",
    "EPREL sheets collected in objectives/data/tyre_lines.yaml: Y/ZR-rated low-profile sports lines (Pilot Sport 4 S, "
    "SportContact 6, Potenza Sport, P Zero Corsa, Advan Sport) are mostly class D, the EV and touring lines A-B",
)
LOW_PROFILE_LABEL = Constant(
    "C",
    "EU class",
    "rolling-resistance class of a low-profile tyre whose class and line are not published",
    "median class of the 24 ultra-high-performance lines of objectives/data/tyre_lines.yaml (5 A, 1 B, 6 C, 12 D)",
)
CG_HEIGHT_FACTOR = Constant(
    0.34,
    "1",
    "centre-of-gravity height / overall height",
    "TUM FTM MQS-LDS regression of CG height on overall height (h = 1.2968 H - 1491.6 mm), applied to its six EVs: "
    "0.26 (Model 3) to 0.38 (e-tron), median 0.339; FASTSim's 0.53 m gives 0.33-0.37",
)
FRONT_WEIGHT = {
    "FWD": Constant(
        0.58,
        "1",
        "static front share of the weight, front-wheel drive",
        "ESTIMATE: no measured EV split found; VW: 'no chance to place 60 percent of the weight on the front "
        "axle' of a long-range EV (C. Senger, hotcars.com); FASTSim's Leaf and Zoe files use 0.59-0.61",
    ),
    "RWD": Constant(
        0.47,
        "1",
        "rear-wheel drive",
        "ESTIMATE: no measured EV split found; FASTSim's Model 3, Model Y and Born files use 0.39-0.41, TUM's "
        "MQS-LDS 0.5",
    ),
    "AWD": Constant(
        0.50,
        "1",
        "all-wheel drive",
        "Kia EV6 AWD 49/51 (MotorTrend first test); BYD Seal AWD 50/50 (autoentusiastas.com.br)",
    ),
}
DEFAULT_MOTOR_SPEED_RPM = Constant(
    15000.0,
    "rpm",
    "maximum speed of a motor that publishes neither torque nor speed",
    "median of published maximum speeds: Leaf EM61 10,390; BMW i3 11,400; VW ID.4 GTX front ASM 14,000; EPA generic "
    "150 kW IPM 15,000; VW APP310 16,000; Taycan 16,000; Model S rear ~18,000 rpm (sources in README)",
)
CONSTANT_POWER_SPEED_RATIO = Constant(
    2.98,
    "1",
    "maximum speed / base speed of a traction motor",
    "Nissan EM57 (Leaf 2018): 320 N m from 0-3,283 rpm, 110 kW from 3,283-9,795 rpm "
    "(indianautosblog.com/2018-nissan-leaf-enters-production-europe-p293947)",
)
MEDIAN_REDUCER_RATIO = Constant(
    9.2,
    "1",
    "single-speed reduction of a car whose ratio is not published (unless its top speed needs a taller one)",
    "median of 10 published reducers: Bolt 7.05, Leaf 7.94, Kona 7.98, Taycan front 8.05, Model 3 9.03, Outlander PHEV "
    "front 9.38, EPA generic 150 kW EDU 9.5, Model S 9.73, ID.3 11.53, GKN eAxle 12.5 (sources in README)",
)
TWO_SPEED_SPREAD = Constant(
    1.933,
    "1",
    "first-gear / second-gear ratio of a two-speed box whose ratios are not published",
    "Porsche Taycan rear: 15.563 and 8.05 (electric-fun.com/why-porsche-taycan-is-faster-than-tesla/)",
)


def table() -> list[tuple[str, Constant[Any]]]:
    """[(name, Constant)] of every constant, in declaration order; tables as NAME[key]."""
    rows: list[tuple[str, Constant[Any]]] = []

    def walk(name: str, value: object) -> None:
        if isinstance(value, Constant):
            rows.append((name, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}[{key}]", item)

    for name, value in list(globals().items()):
        if name.isupper():
            walk(name, value)
    return rows
